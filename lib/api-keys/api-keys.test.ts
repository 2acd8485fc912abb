import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, OPERATOR, userActor } from "../access/actor";
import { API_KEY_PERMISSIONS, DEFAULT_API_KEY_PERMISSIONS, type TRole } from "../access/permissions";
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
    const defaults = [...DEFAULT_API_KEY_PERMISSIONS].sort();
    expect(principal).toMatchObject({ apiKeyId: created.id, merchantId, permissions: defaults });
    expect(principal.actor).toEqual({
      type: "api_key",
      apiKeyId: created.id,
      merchantId,
      permissions: defaults,
    });
  });

  it("carries the permissions granted at creation, the default set when none are named", async () => {
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
    // The key cache learns of the change by NOTIFY, pushed within milliseconds (api-key-cache.test.ts).
    await expect
      .poll(async () => (await authenticateApiKey(database.db, `Bearer ${approver.apiKey}`)).permissions, {
        timeout: 1_000,
      })
      .toEqual([]);
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

  it("members need keys:write and grant only what they hold; the operator grants anything; both are audited", async () => {
    const db = database.db;
    const member = (role: TRole) => ({ db, actor: userActor({ merchantId, userId: `usr_${role}`, role }) });
    // A viewer cannot create or revoke keys at all.
    await expect(createApiKey(member("viewer"), { merchantId, name: "v" })).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/keys:write/),
    });
    // A developer holds keys:write but not payments:write: neither the default set nor that one.
    await expect(createApiKey(member("developer"), { merchantId, name: "d" })).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/payments:write/),
    });
    const readOnly = await createApiKey(member("developer"), {
      merchantId,
      name: "reader",
      permissions: ["payments:read", "webhooks:write"],
    });
    expect(readOnly.permissions).toEqual(["payments:read", "webhooks:write"]);
    // An admin gets the default set but neither money-routing permission.
    expect((await createApiKey(member("admin"), { merchantId, name: "a" })).permissions).toEqual(
      [...DEFAULT_API_KEY_PERMISSIONS].sort(),
    );
    for (const permission of ["payouts:approve", "settings:write"] as const)
      await expect(
        createApiKey(member("admin"), { merchantId, name: "a", permissions: [permission] }),
      ).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(permission) });
    // The owner and the operator may grant them.
    expect(
      (await createApiKey(member("owner"), { merchantId, name: "o", permissions: ["settings:write"] }))
        .permissions,
    ).toEqual(["settings:write"]);
    const everything = await createApiKey(
      { db, actor: OPERATOR },
      {
        merchantId,
        name: "all",
        permissions: API_KEY_PERMISSIONS,
      },
    );
    expect(everything.permissions).toEqual([...API_KEY_PERMISSIONS].sort());
    // Nothing to grant is refused; a key actor cannot create keys (keys:write is member-only).
    await expect(
      createApiKey({ db, actor: OPERATOR }, { merchantId, name: "none", permissions: [] }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    const keyActor = apiKeyActor({ merchantId, apiKeyId: everything.id, permissions: API_KEY_PERMISSIONS });
    await expect(createApiKey({ db, actor: keyActor }, { merchantId, name: "k" })).rejects.toMatchObject({
      code: "forbidden",
    });
    // Revocation needs keys:write too; the viewer's attempt changes nothing.
    await expect(revokeApiKey(member("viewer"), { merchantId, id: readOnly.id })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: readOnly.id } })).revokedAt).toBeNull();
    expect(
      await revokeApiKey(
        { ...member("developer"), origin: { requestId: "req_test" } },
        { merchantId, id: readOnly.id },
      ),
    ).toBe(true);
    const audit = await db.auditLogEntry.findMany({
      where: { merchantId, targetId: readOnly.id },
      orderBy: [{ createdAt: "asc" }, { action: "asc" }],
    });
    expect(audit.map((entry) => [entry.action, entry.actorType, entry.actorId])).toEqual([
      ["api_key.created", "user", "usr_developer"],
      ["api_key.revoked", "user", "usr_developer"],
    ]);
    expect(audit[1]?.requestId).toBe("req_test");
  });
});
