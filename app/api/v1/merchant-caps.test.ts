// Per-merchant caps (issue 16): active webhook endpoints and active API keys, each refused past the
// configured limit with 409 invalid_state naming the limit, through the API, against a real database.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { callApi } from "@/lib/testing/call-api";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

// The environment is parsed once, by whatever reads it first (a module's logger at import time,
// the test database's client): the caps are set before any import, as a deployment sets them.
vi.hoisted(() => {
  process.env.MAX_WEBHOOK_ENDPOINTS_PER_MERCHANT = "2";
  process.env.MAX_API_KEYS_PER_MERCHANT = "3";
});

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
});
afterAll(async () => {
  delete process.env.MAX_WEBHOOK_ENDPOINTS_PER_MERCHANT;
  delete process.env.MAX_API_KEYS_PER_MERCHANT;
  await disconnectProcessDb();
  await database.drop();
});

async function merchant(label: string) {
  const { merchantId } = await createMerchant(database.db, {
    name: label,
    email: `${label}-${Date.now()}@example.com`,
    password: "pw",
  });
  return merchantId;
}

describe("per-merchant caps", () => {
  it("refuses a third active webhook endpoint with 409, also by enabling a disabled one", async () => {
    const merchantId = await merchant("hooks");
    const { apiKey } = await createApiKey(
      { db: database.db, actor: OPERATOR },
      {
        merchantId,
        name: "k",
        permissions: [...API_KEY_PERMISSIONS],
      },
    );
    const create = (body: object) =>
      callApi("POST", "/api/v1/webhook-endpoints", {
        apiKey,
        body: { url: "http://127.0.0.1:9/hook", ...body },
      });
    expect((await create({})).status).toBe(201);
    expect((await create({})).status).toBe(201);
    const refused = await create({});
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({
      code: "invalid_state",
      detail: expect.stringMatching(/at most 2 active webhook endpoints/),
    });
    // A disabled endpoint is not active: it may be added, but not enabled while at the cap.
    const disabled = await create({ status: "disabled" });
    expect(disabled.status).toBe(201);
    const { id } = await disabled.json();
    const enable = { apiKey, body: { status: "enabled" }, params: { id } };
    expect((await callApi("PATCH", "/api/v1/webhook-endpoints/{id}", enable)).status).toBe(409);
    // Another merchant is not affected.
    const other = await createApiKey(
      { db: database.db, actor: OPERATOR },
      {
        merchantId: await merchant("other"),
        name: "k",
        permissions: [...API_KEY_PERMISSIONS],
      },
    );
    expect(
      (
        await callApi("POST", "/api/v1/webhook-endpoints", {
          apiKey: other.apiKey,
          body: { url: "http://127.0.0.1:9/x" },
        })
      ).status,
    ).toBe(201);
  });

  it("refuses an API key past the cap of active keys; revoking one makes room", async () => {
    const merchantId = await merchant("keys");
    const keys = [];
    for (let i = 0; i < 3; i++)
      keys.push(await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: `k${i}` }));
    await expect(
      createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "one too many" }),
    ).rejects.toMatchObject({
      code: "invalid_state",
      status: 409,
      message: expect.stringMatching(/at most 3 active API keys/),
    });
    await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId, id: keys[0]?.id ?? "" });
    await expect(
      createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "room again" }),
    ).resolves.toMatchObject({
      name: "room again",
    });
  });

  it("lets concurrent creations take turns: never more than the cap", async () => {
    const merchantId = await merchant("race");
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: `r${i}` }),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(3);
    expect(await database.db.apiKey.count({ where: { merchantId, revokedAt: null } })).toBe(3);
  });
});
