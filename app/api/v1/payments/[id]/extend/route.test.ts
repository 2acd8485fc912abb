// POST /api/v1/payments/{id}/extend through the real route handler on a real database: a pending
// payment expires later, bad bodies are 422 problems, other statuses 409, other merchants 404.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { configuredChains } from "@/lib/config/chains";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { cancelPayment } from "@/lib/payments/cancel-payment";
import { createPayment } from "@/lib/payments/create-payment";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

let database: TestDatabase;
let extend: typeof import("./route");
let keyA: string;
let keyB: string;
let merchantA: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  extend = await import("./route");
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
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

async function newPayment() {
  return createPayment(
    { actor: OPERATOR, db: database.db, chains: configuredChains(), baseUrl: "http://localhost" },
    merchantA,
    { chain: "local", token: "USDC", amount: "12.5", expires_in: 900 },
  );
}

function post(id: string, body: unknown, apiKey = keyA) {
  return extend.POST(
    new Request(`http://localhost/api/v1/payments/${id}/extend`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );
}

describe("POST /api/v1/payments/{id}/extend", () => {
  it("moves a pending payment's expiry by the minutes given, past its current expiry", async () => {
    const payment = await newPayment();
    const response = await post(payment.id, { extend_by_minutes: 60 });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ id: payment.id, status: "pending" });
    expect(Date.parse(body.expires_at) - Date.parse(payment.expires_at)).toBe(60 * 60_000);
    const audit = await database.db.auditLogEntry.findFirst({
      where: { merchantId: merchantA, action: "payment.expiry_extended", targetId: payment.id },
    });
    expect(audit).not.toBeNull();
  });

  it("refuses bad bodies with 422 problem+json and changes nothing", async () => {
    const payment = await newPayment();
    for (const body of [
      {},
      { extend_by_minutes: 0 },
      { extend_by_minutes: "60" },
      { extend_by_minutes: 60, x: 1 },
    ]) {
      const response = await post(payment.id, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    // Beyond seven days from now: refused on the field.
    const far = await post(payment.id, { extend_by_minutes: 7 * 24 * 60 });
    expect(far.status).toBe(422);
    expect((await far.json()).errors).toEqual([expect.objectContaining({ path: "extend_by_minutes" })]);
    const row = await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row.expiresAt.toISOString()).toBe(payment.expires_at);
  });

  it("is a 409 for a payment that is no longer pending and a 404 for another merchant's", async () => {
    const payment = await newPayment();
    expect((await post(payment.id, { extend_by_minutes: 15 }, keyB)).status).toBe(404);
    await cancelPayment({ db: database.db, actor: OPERATOR }, merchantA, payment.id, "http://localhost");
    const response = await post(payment.id, { extend_by_minutes: 15 });
    expect(response.status).toBe(409);
    expect((await response.json()).code).toBe("invalid_state");
  });
});
