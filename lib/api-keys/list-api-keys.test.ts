import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, OPERATOR, userActor } from "../access/actor";
import { DEFAULT_API_KEY_PERMISSIONS } from "../access/permissions";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createApiKey, revokeApiKey } from "./create-api-key";
import { listApiKeys } from "./list-api-keys";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("listApiKeys", () => {
  it("lists one merchant's keys with hints only, active first, never the secret or its hash", async () => {
    const make = (name: string) =>
      createMerchant(
        database.db,
        { name, email: `${name}@example.com`, password: "long enough pw" },
        DEVELOPMENT_MNEMONIC,
      );
    const { merchantId } = await make("keys");
    const other = await make("other");
    const first = await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "first" });
    const second = await createApiKey(
      { db: database.db, actor: OPERATOR },
      {
        merchantId,
        name: "second",
        permissions: ["payouts:approve"],
      },
    );
    await createApiKey(
      { db: database.db, actor: OPERATOR },
      { merchantId: other.merchantId, name: "not mine" },
    );
    expect(await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId, id: first.id })).toBe(true);

    const keys = await listApiKeys({ db: database.db, actor: OPERATOR }, merchantId);
    expect(keys.map((key) => [key.name, key.revokedAt === null])).toEqual([
      ["second", true],
      ["first", false],
    ]);
    expect(keys[0]?.hint).toBe(second.apiKey.slice(-4));
    expect(keys.map((key) => key.permissions)).toEqual([
      ["payouts:approve"],
      [...DEFAULT_API_KEY_PERMISSIONS].sort(),
    ]);
    // Any member of the merchant reads the list; a key, or a member of another merchant, does not.
    const viewer = userActor({ merchantId, userId: "usr_viewer", role: "viewer" });
    expect(await listApiKeys({ db: database.db, actor: viewer }, merchantId)).toEqual(keys);
    const stranger = userActor({ merchantId: other.merchantId, userId: "usr_x", role: "owner" });
    await expect(listApiKeys({ db: database.db, actor: stranger }, merchantId)).rejects.toMatchObject({
      code: "not_found",
    });
    const key = apiKeyActor({ merchantId, apiKeyId: second.id, permissions: second.permissions });
    await expect(listApiKeys({ db: database.db, actor: key }, merchantId)).rejects.toMatchObject({
      code: "forbidden",
    });
    const serialized = JSON.stringify(keys);
    expect(serialized).not.toContain(second.apiKey);
    expect(serialized).not.toMatch(/[0-9a-f]{64}/);
  });
});
