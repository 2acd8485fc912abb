// Issue 16: the treasury address accepted a wrong EIP-55 checksum and silently "fixed" it. Every
// address that comes in through the API (treasury, payout and refund recipients) now answers a
// mistyped checksum with 422 naming the problem; all lower-case input is still accepted.

import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { withWrongChecksum } from "@/lib/testing/addresses";
import { callApi } from "@/lib/testing/call-api";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

let database: TestDatabase;
let apiKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  const { merchantId } = await createMerchant(database.db, {
    name: "A",
    email: "a@example.com",
    password: "pw",
  });
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId,
      name: "all",
      permissions: [...API_KEY_PERMISSIONS],
    },
  ));
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

describe("strict EIP-55 on every address input", () => {
  const address = privateKeyToAddress(generatePrivateKey());
  const mistyped = withWrongChecksum(address);

  it("refuses a wrong checksum with 422 and a clear message (treasury, payout, refund)", async () => {
    const responses = [
      await callApi("PUT", "/api/v1/settings/treasury", {
        apiKey,
        body: {
          chain: "local",
          address: mistyped,
        },
      }),
      await callApi("POST", "/api/v1/payouts", {
        apiKey,
        body: {
          chain: "local",
          amount: "1",
          address: mistyped,
        },
      }),
      await callApi("POST", "/api/v1/payments/{id}/refund", {
        apiKey,
        body: { address: mistyped },
        params: { id: "pay_0000000000000000000000" },
      }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(422);
      const problem = await response.json();
      expect(problem.errors).toEqual([
        { path: "address", message: expect.stringMatching(/^has a wrong EIP-55 checksum/) },
      ]);
    }
  });

  it("accepts all lower-case and stores it checksummed", async () => {
    const response = await callApi("PUT", "/api/v1/settings/treasury", {
      apiKey,
      body: {
        chain: "local",
        address: address.toLowerCase(),
      },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).address).toBe(address);
  });
});
