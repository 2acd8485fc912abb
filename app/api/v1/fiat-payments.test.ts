// POST /api/v1/payments priced in fiat through the real route: 201 with options, and every refused
// body a problem+json (mixed forms, unsupported currency, unknown coins), the single-coin form as before.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { createMerchant } from "@/lib/merchants/create-merchant";
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
    name: "F",
    email: "f@example.com",
    password: "pw",
  });
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId, name: "all", permissions: [...API_KEY_PERMISSIONS] },
  ));
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

const create = (body: unknown) => callApi("POST", "/api/v1/payments", { apiKey, body });

describe("POST /api/v1/payments priced in fiat", () => {
  it("creates a payment with one option per accepted coin on one address", async () => {
    const response = await create({
      price: { amount: "20.00", currency: "usd" },
      accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
      order_id: "o-1",
    });
    expect(response.status).toBe(201);
    const payment = await response.json();
    expect(payment).toMatchObject({ price: { amount: "20.00", currency: "USD" }, value_received: "0.00" });
    expect(
      payment.options.map((o: { token: { symbol: string }; amount: string }) => [o.token.symbol, o.amount]),
    ).toEqual([
      ["USDC", "20"],
      ["ETH", "0.006666666666666667"],
    ]);
    for (const option of payment.options) expect(option.payment_uri).toContain(payment.address);
    const fetched = await callApi("GET", "/api/v1/payments/{id}", { apiKey, params: { id: payment.id } });
    expect(await fetched.json()).toEqual(payment);
  });

  it("keeps the single-coin form unchanged", async () => {
    const response = await create({ chain: "local", token: "USDC", amount: "12.5" });
    expect(response.status).toBe(201);
    const payment = await response.json();
    expect(payment).toMatchObject({ amount: "12.5", token: { symbol: "USDC" } });
    expect(payment).not.toHaveProperty("price");
    expect(payment).not.toHaveProperty("options");
  });

  it.each([
    [
      "both forms",
      { price: { amount: "20", currency: "USD" }, chain: "local", amount: "1" },
      422,
      "validation_failed",
    ],
    ["a float price", { price: { amount: 20, currency: "USD" } }, 422, "validation_failed"],
    [
      "more decimals than the currency has",
      { price: { amount: "20.001", currency: "USD" } },
      422,
      "validation_failed",
    ],
    [
      "an unknown chain",
      { price: { amount: "20", currency: "USD" }, accepts: [{ chain: "mars" }] },
      422,
      "validation_failed",
    ],
    [
      "an empty accepts list",
      { price: { amount: "20", currency: "USD" }, accepts: [] },
      422,
      "validation_failed",
    ],
    ["an unsupported currency", { price: { amount: "20", currency: "XYZ" } }, 400, "bad_request"],
  ])("refuses %s with problem+json", async (_, body, status, code) => {
    const response = await create(body);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status, code });
  });

  it("applies the merchant's quote window and tolerance settings to new payments", async () => {
    const initial = await callApi("GET", "/api/v1/settings/quotes", { apiKey });
    expect(await initial.json()).toEqual({
      object: "quote_settings",
      quote_ttl: 900,
      underpayment_tolerance: "0.00",
      accepted_coins: [
        { chain: "local", token: null },
        { chain: "local", token: "USDC" },
      ],
      display_currency: "USD",
    });
    const set = await callApi("PUT", "/api/v1/settings/quotes", {
      apiKey,
      body: { quote_ttl: 120, underpayment_tolerance: "0.5" },
    });
    expect(await set.json()).toMatchObject({
      object: "quote_settings",
      quote_ttl: 120,
      underpayment_tolerance: "0.50",
    });
    for (const body of [
      { underpayment_tolerance: "11" },
      { accepted_coins: [] },
      { accepted_coins: [{ chain: "local", token: "DOGE" }] },
      { display_currency: "XXX" },
    ]) {
      const refused = await callApi("PUT", "/api/v1/settings/quotes", { apiKey, body });
      expect(refused.status).toBe(422);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
    }

    const payment = await (
      await create({ price: { amount: "1", currency: "USD" }, accepts: [{ chain: "local" }] })
    ).json();
    const window = Date.parse(payment.options[0].quote_expires_at) - Date.parse(payment.created_at);
    expect(window).toBe(120_000);
    const row = await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row.underpaymentToleranceBps).toBe(50);
  });

  it("defaults accepts to the merchant's accepted coins and refuses one turned off", async () => {
    const set = await callApi("PUT", "/api/v1/settings/quotes", {
      apiKey,
      body: { accepted_coins: [{ chain: "local", token: "USDC" }], display_currency: "EUR" },
    });
    expect(await set.json()).toMatchObject({
      accepted_coins: [{ chain: "local", token: "USDC" }],
      display_currency: "EUR",
    });
    const payment = await (await create({ price: { amount: "3", currency: "USD" } })).json();
    expect(payment.options.map((o: { token: { symbol: string } }) => o.token.symbol)).toEqual(["USDC"]);
    const refused = await create({ price: { amount: "3", currency: "USD" }, accepts: [{ chain: "local" }] });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      errors: [{ path: "accepts.0.token", message: expect.stringContaining("turned off") }],
    });
    await callApi("PUT", "/api/v1/settings/quotes", {
      apiKey,
      body: { accepted_coins: [{ chain: "local" }, { chain: "local", token: "USDC" }] },
    });
  });

  it("answers 404 for an unattributed transfer the payment does not have", async () => {
    const created = await (
      await create({ price: { amount: "5", currency: "EUR" }, accepts: [{ chain: "local" }] })
    ).json();
    const response = await callApi("POST", "/api/v1/payments/{id}/unattributed-transfers/resolve", {
      apiKey,
      params: { id: created.id },
      body: { chain: "local", tx_hash: `0x${"ab".repeat(32)}`, log_index: -1, resolution: "accepted" },
    });
    expect(response.status).toBe(404);
    // Refused before any lookup: a log index past int4 (fuzz seed 1152475033 found a 500), a refund
    // without its address, an address on an acceptance, an unknown resolution.
    const refused = [
      { log_index: Number.MAX_SAFE_INTEGER, resolution: "accepted" },
      { log_index: -1, resolution: "refunded" },
      { log_index: -1, resolution: "accepted", refund_address: `0x${"12".repeat(20)}` },
      { log_index: -1, resolution: "ignored" },
    ];
    for (const body of refused) {
      const answer = await callApi("POST", "/api/v1/payments/{id}/unattributed-transfers/resolve", {
        apiKey,
        params: { id: created.id },
        body: { chain: "local", tx_hash: `0x${"ab".repeat(32)}`, ...body },
      });
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});
