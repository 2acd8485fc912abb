// GET /api/v1/balances and GET /api/v1/balance-transactions through the real route handlers on a
// real database: exact decimal strings, filters, cursor pages, merchants kept apart.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { ZBalanceObject, ZBalanceTransactionObject } from "@/lib/balances/balance-object";
import { postLedgerEntry } from "@/lib/balances/post-ledger-entry";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

let database: TestDatabase;
let transactions: typeof import("./route");
let balances: typeof import("../balances/route");
let keyA: string;
let keyB: string;
let merchantA: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  transactions = await import("./route");
  balances = await import("../balances/route");
  const a = await createMerchant(database.db, { name: "A", email: "a@example.com", password: "pw" });
  const b = await createMerchant(database.db, { name: "B", email: "b@example.com", password: "pw" });
  merchantA = a.merchantId;
  ({ apiKey: keyA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: a.merchantId, name: "a" },
  ));
  ({ apiKey: keyB } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: b.merchantId, name: "b" },
  ));
  const entries = [
    { tokenSymbol: "USDC", type: "adjustment", amount: 12_500_000n },
    { tokenSymbol: "USDC", type: "payout", amount: -2_000_001n },
    { tokenSymbol: "ETH", type: "adjustment", amount: 10n ** 18n + 1n },
    { tokenSymbol: "USDC", type: "payout_reversed", amount: 1n },
  ] as const;
  // Distinct timestamps: the expected order does not depend on ids within one millisecond.
  for (const [index, entry] of entries.entries())
    await database.db.$transaction((tx) =>
      postLedgerEntry(tx, {
        merchantId: a.merchantId,
        chain: "local",
        ...entry,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
      }),
    );
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

const context = { params: Promise.resolve({}) };

function get(route: { GET: typeof transactions.GET }, path: string, apiKey: string) {
  return route.GET(
    new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${apiKey}` } }),
    context,
  );
}

describe("GET /api/v1/balances", () => {
  it("lists each chain/token balance as exact decimal strings", async () => {
    const response = await get(balances, "/api/v1/balances", keyA);
    expect(response.status).toBe(200);
    const body = await response.json();
    const data = body.data.map((item: unknown) => ZBalanceObject.parse(item));
    expect(
      data.map((b: { token: { symbol: string }; available: string; available_base_units: string }) => [
        b.token.symbol,
        b.available,
        b.available_base_units,
      ]),
    ).toEqual([
      ["ETH", "1.000000000000000001", "1000000000000000001"],
      ["USDC", "10.5", "10500000"],
    ]);
    expect(body).toMatchObject({ object: "list", has_more: false, next_cursor: null });
  });

  it("filters by token and keeps merchants apart", async () => {
    const usdc = await (await get(balances, "/api/v1/balances?token=usdc", keyA)).json();
    expect(usdc.data).toHaveLength(1);
    expect((await (await get(balances, "/api/v1/balances", keyB)).json()).data).toEqual([]);
  });

  it("refuses unknown query parameters with 422 and requires an API key", async () => {
    const response = await get(balances, "/api/v1/balances?colour=red", keyA);
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect((await balances.GET(new Request("http://localhost/api/v1/balances"), context)).status).toBe(401);
  });
});

describe("GET /api/v1/balance-transactions", () => {
  it("lists the ledger newest first with signed amounts and balance_after", async () => {
    const body = await (await get(transactions, "/api/v1/balance-transactions", keyA)).json();
    const data = body.data.map((item: unknown) => ZBalanceTransactionObject.parse(item));
    expect(
      data.map((t: { type: string; amount: string; balance_after: string }) => [
        t.type,
        t.amount,
        t.balance_after,
      ]),
    ).toEqual([
      ["payout_reversed", "0.000001", "10.5"],
      ["adjustment", "1.000000000000000001", "1.000000000000000001"],
      ["payout", "-2.000001", "10.499999"],
      ["adjustment", "12.5", "12.5"],
    ]);
    // Only a payment credit has a gross and a fee (lib/balances/balance-mode-sweep.test.ts).
    expect(data.map((t: { gross: unknown; fee: unknown }) => [t.gross, t.fee])).toEqual(
      data.map(() => [null, null]),
    );
  });

  it("pages with starting_after and filters by type, token and chain", async () => {
    const first = await (await get(transactions, "/api/v1/balance-transactions?limit=3", keyA)).json();
    expect(first.data).toHaveLength(3);
    expect(first.has_more).toBe(true);
    const second = await (
      await get(
        transactions,
        `/api/v1/balance-transactions?limit=3&starting_after=${first.next_cursor}`,
        keyA,
      )
    ).json();
    expect(second.data.map((t: { type: string }) => t.type)).toEqual(["adjustment"]);
    expect(second).toMatchObject({ has_more: false, next_cursor: null });

    const payouts = await (await get(transactions, "/api/v1/balance-transactions?type=payout", keyA)).json();
    expect(payouts.data.map((t: { amount_base_units: string }) => t.amount_base_units)).toEqual(["-2000001"]);
    const eth = await (
      await get(transactions, "/api/v1/balance-transactions?token=ETH&chain=local", keyA)
    ).json();
    expect(eth.data).toHaveLength(1);
  });

  it("keeps merchants apart: another merchant sees nothing and cannot page with A's cursor", async () => {
    expect((await (await get(transactions, "/api/v1/balance-transactions", keyB)).json()).data).toEqual([]);
    const entry = await database.db.balanceTransaction.findFirstOrThrow({ where: { merchantId: merchantA } });
    const response = await get(transactions, `/api/v1/balance-transactions?starting_after=${entry.id}`, keyB);
    expect(response.status).toBe(422);
  });

  it("refuses bad filters with 422", async () => {
    for (const query of ["type=gift", "limit=0", "limit=101", "created[gte]=yesterday"]) {
      const response = await get(transactions, `/api/v1/balance-transactions?${query}`, keyA);
      expect(response.status, query).toBe(422);
    }
  });
});
