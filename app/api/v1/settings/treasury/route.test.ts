// PUT/GET /api/v1/settings/treasury through the real route handlers on a real database.

import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { env } from "@/lib/config/env";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { createPayment } from "@/lib/payments/create-payment";
import { ZTreasurySettingList, ZTreasurySettingObject } from "@/lib/settlement/treasury-setting-object";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";
import { testChain } from "@/lib/testing/test-chain";
import { gasTankAddress } from "@/lib/transactions/signing-accounts";
import { hotWalletAddress } from "@/lib/wallet/derivation";

let database: TestDatabase;
let route: typeof import("./route");
let keyA: string;
let keyB: string;
let depositAddressOfB: string;
let hotWalletOfA: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  route = await import("./route");
  const a = await createMerchant(database.db, { name: "A", email: "a@example.com", password: "pw" });
  const b = await createMerchant(database.db, { name: "B", email: "b@example.com", password: "pw" });
  ({ apiKey: keyA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    // The owner's first key: money routing needs settings:write.
    { merchantId: a.merchantId, name: "a", permissions: API_KEY_PERMISSIONS },
  ));
  const merchantA = await database.db.merchant.findUniqueOrThrow({ where: { id: a.merchantId } });
  hotWalletOfA = hotWalletAddress(merchantA.depositXpub);
  ({ apiKey: keyB } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    // The owner's first key: money routing needs settings:write.
    { merchantId: b.merchantId, name: "b", permissions: API_KEY_PERMISSIONS },
  ));
  const payment = await createPayment(
    { actor: OPERATOR, db: database.db, chains: [testChain()], baseUrl: "http://localhost" },
    b.merchantId,
    { chain: "local", amount: "1" },
  );
  depositAddressOfB = payment.address;
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

const context = { params: Promise.resolve({}) };
const url = "http://localhost/api/v1/settings/treasury";

function put(apiKey: string, body: unknown) {
  return route.PUT(
    new Request(url, {
      method: "PUT",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    context,
  );
}
function list(apiKey: string) {
  return route.GET(new Request(url, { headers: { authorization: `Bearer ${apiKey}` } }), context);
}

describe("treasury settings API", () => {
  it("stores a checksummed treasury address (mode defaults to treasury) and lists it", async () => {
    const address = privateKeyToAddress(generatePrivateKey());
    const response = await put(keyA, { chain: "local", address: address.toLowerCase() });
    expect(response.status).toBe(200);
    const body = ZTreasurySettingObject.parse(await response.json());
    expect(body).toEqual({ chain: "local", mode: "treasury", address, pending_change: null });

    const listed = ZTreasurySettingList.parse(await (await list(keyA)).json());
    expect(listed).toEqual({
      object: "list",
      data: [{ chain: "local", mode: "treasury", address, pending_change: null }],
    });
  });

  it("updates the setting in place and accepts balance mode without an address", async () => {
    const response = await put(keyA, { chain: "local", mode: "balance" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      chain: "local",
      mode: "balance",
      address: null,
      pending_change: null,
    });
    expect((await (await list(keyA)).json()).data).toHaveLength(1);
  });

  it("refuses bad input with 422 and a field path", async () => {
    const cases: [unknown, string][] = [
      [{ chain: "local" }, "address"],
      [{ chain: "local", mode: "treasury", address: null }, "address"],
      [{ chain: "local", address: "0x1234" }, "address"],
      [{ chain: "local", address: "0x0000000000000000000000000000000000000000" }, "address"],
      [{ chain: "nope", address: privateKeyToAddress(generatePrivateKey()) }, "chain"],
      [{ chain: "local", mode: "vault", address: privateKeyToAddress(generatePrivateKey()) }, "mode"],
      [{ chain: "local", address: depositAddressOfB }, "address"],
      [{ chain: "local", address: gasTankAddress(env().WALLET_MNEMONIC) }, "address"],
      [{ chain: "local", address: hotWalletOfA }, "address"],
    ];
    for (const [body, path] of cases) {
      const response = await put(keyA, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      const problem = await response.json();
      expect(problem.code).toBe("validation_failed");
      expect(problem.errors.map((error: { path: string }) => error.path)).toContain(path);
    }
  });

  it("keeps merchants apart", async () => {
    const address = privateKeyToAddress(generatePrivateKey());
    expect((await put(keyB, { chain: "local", address })).status).toBe(200);
    const a = (await (await list(keyA)).json()).data;
    const b = (await (await list(keyB)).json()).data;
    expect(a).toEqual([{ chain: "local", mode: "balance", address: null, pending_change: null }]);
    expect(b).toEqual([{ chain: "local", mode: "treasury", address, pending_change: null }]);
  });

  it("requires an API key", async () => {
    expect((await route.GET(new Request(url), context)).status).toBe(401);
  });
});
