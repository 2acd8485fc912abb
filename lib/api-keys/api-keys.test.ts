import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { authenticateApiKey } from "./authenticate-api-key";
import { createApiKey, hashApiKey, revokeApiKey } from "./create-api-key";

let database: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  ({ merchantId } = await createMerchant(database.db, {
    name: "Keys",
    email: "keys@example.com",
    password: "pw",
  }));
});
afterAll(() => database.drop());

const unauthorized = (promise: Promise<unknown>, detail: RegExp) =>
  expect(promise).rejects.toSatisfy(
    (error) => error instanceof AppError && error.status === 401 && detail.test(error.message),
  );

describe("API keys", () => {
  it("stores only the SHA-256 of a random sk_ key and authenticates it", async () => {
    const created = await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "server" });
    expect(created.apiKey).toMatch(/^sk_[0-9A-Za-z]{43}$/);
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.keyHash).toBe(hashApiKey(created.apiKey));
    expect(JSON.stringify(row)).not.toContain(created.apiKey);

    const principal = await authenticateApiKey(database.db, `Bearer ${created.apiKey}`);
    expect(principal).toMatchObject({ apiKeyId: created.id, merchantId, permissions: [] });
    expect(principal.actor).toEqual({ type: "api_key", apiKeyId: created.id, merchantId, permissions: [] });
  });

  it("carries the permissions granted at creation, none by default", async () => {
    const approver = await createApiKey(
      { db: database.db, actor: OPERATOR },
      {
        merchantId,
        name: "approver",
        permissions: ["payouts:approve", "payouts:approve"],
      },
    );
    expect(approver.permissions).toEqual(["payouts:approve"]);
    expect(await authenticateApiKey(database.db, `Bearer ${approver.apiKey}`)).toMatchObject({
      permissions: ["payouts:approve"],
    });
    // A value this version does not know (written by a newer one) grants nothing.
    await database.db.apiKey.update({
      where: { id: approver.id },
      data: { permissions: ["payouts:everything"] },
    });
    expect(await authenticateApiKey(database.db, `Bearer ${approver.apiKey}`)).toMatchObject({
      permissions: [],
    });
  });

  it("tracks last_used_at with throttled writes", async () => {
    const { id, apiKey } = await createApiKey(
      { db: database.db, actor: OPERATOR },
      { merchantId, name: "usage" },
    );
    const t0 = new Date("2026-11-22T10:00:00Z");
    await authenticateApiKey(database.db, `Bearer ${apiKey}`, t0);
    await authenticateApiKey(database.db, `Bearer ${apiKey}`, new Date(t0.getTime() + 10_000));
    expect((await database.db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(t0);
    const later = new Date(t0.getTime() + 120_000);
    await authenticateApiKey(database.db, `Bearer ${apiKey}`, later);
    expect((await database.db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(later);
  });

  it("rejects missing, malformed, unknown and revoked keys with 401", async () => {
    await unauthorized(authenticateApiKey(database.db, null), /Missing API key/);
    await unauthorized(authenticateApiKey(database.db, "Basic abc"), /Malformed/);
    await unauthorized(authenticateApiKey(database.db, "Bearer sk_short"), /Malformed/);
    await unauthorized(authenticateApiKey(database.db, `Bearer sk_${"a".repeat(43)}`), /Invalid or revoked/);

    const { id, apiKey } = await createApiKey(
      { db: database.db, actor: OPERATOR },
      { merchantId, name: "to revoke" },
    );
    expect(await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId: "mer_other", id })).toBe(
      false,
    );
    expect(await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId, id })).toBe(true);
    await unauthorized(authenticateApiKey(database.db, `Bearer ${apiKey}`), /Invalid or revoked/);
  });
});
