// The payouts API through the real route handlers on a real database: idempotent creation, every
// validation rule, limits and auto-approval, approve/reject with funds returned, refunds, 50
// concurrent payouts racing for one balance, and merchants kept apart on every endpoint.

import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiKeyActor, OPERATOR, userActor } from "@/lib/access/actor";
import { DEFAULT_API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { findLedgerMismatches } from "@/lib/balances/find-ledger-mismatches";
import { configuredChains } from "@/lib/config/chains";
import { createLogger } from "@/lib/logger";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { createPayment } from "@/lib/payments/create-payment";
import { toBigInt } from "@/lib/payments/payment-object";
import { ZPayoutObject } from "@/lib/payouts/payout-object";
import { approvePayout, rejectPayout } from "@/lib/payouts/review-payout";
import { setTreasurySetting } from "@/lib/settlement/set-treasury-setting";
import { withWrongChecksum } from "@/lib/testing/addresses";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { adjustBalance } from "@/lib/testing/ledger";
import { disconnectProcessDb } from "@/lib/testing/process-db";
import { hotWalletAddress } from "@/lib/wallet/derivation";
import { createWebhookEndpoint } from "@/lib/webhooks/create-webhook-endpoint";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";

let database: TestDatabase;
let payouts: typeof import("./route");
let payout: typeof import("./[id]/route");
let approve: typeof import("./[id]/approve/route");
let reject: typeof import("./[id]/reject/route");
let refund: typeof import("../payments/[id]/refund/route");
let limits: typeof import("../settings/payouts/route");
/** Integration keys: they create payouts but may not approve them. */
let keyA: string;
let keyB: string;
/** Merchant A's key for money routing (settings:write), as the owner grants it. */
let settingsA: string;
/** Keys the owners granted `payouts:approve`. */
let approverA: { id: string; apiKey: string };
let approverB: string;
let ownerOfA: string;
let merchantA: string;
let merchantB: string;
let depositOfB: string;
let paymentOfB: string;
let hotWalletOfA: string;
const recipient = privateKeyToAddress(generatePrivateKey());

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  payouts = await import("./route");
  payout = await import("./[id]/route");
  approve = await import("./[id]/approve/route");
  reject = await import("./[id]/reject/route");
  refund = await import("../payments/[id]/refund/route");
  limits = await import("../settings/payouts/route");
  const a = await createMerchant(database.db, { name: "A", email: "a@example.com", password: "pw" });
  const b = await createMerchant(database.db, { name: "B", email: "b@example.com", password: "pw" });
  merchantA = a.merchantId;
  merchantB = b.merchantId;
  ({ apiKey: keyA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: a.merchantId, name: "a" },
  ));
  ({ apiKey: settingsA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: a.merchantId, name: "a settings", permissions: ["settings:read", "settings:write"] },
  ));
  ({ apiKey: keyB } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: b.merchantId, name: "b" },
  ));
  const permissions = ["payouts:approve" as const];
  approverA = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: a.merchantId, name: "a approver", permissions },
  );
  ({ apiKey: approverB } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId: b.merchantId,
      name: "b approver",
      permissions,
    },
  ));
  ownerOfA = a.userId;
  const chains = configuredChains();
  await setTreasurySetting({ actor: OPERATOR, db: database.db, chains }, merchantA, {
    chain: "local",
    mode: "balance",
  });
  await setTreasurySetting({ actor: OPERATOR, db: database.db, chains }, merchantB, {
    chain: "local",
    address: privateKeyToAddress(generatePrivateKey()),
  });
  const payment = await createPayment(
    { actor: OPERATOR, db: database.db, chains, baseUrl: "http://localhost" },
    merchantB,
    {
      chain: "local",
      amount: "1",
    },
  );
  depositOfB = payment.address;
  paymentOfB = payment.id;
  const merchant = await database.db.merchant.findUniqueOrThrow({ where: { id: merchantA } });
  hotWalletOfA = hotWalletAddress(merchant.depositXpub);
  await adjustBalance(database.db, merchantA, { tokenSymbol: "USDC", amount: 100_000_000n });
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

function call(
  handler: Handler,
  apiKey: string,
  options: { path?: string; method?: string; body?: unknown; idempotencyKey?: string; params?: object } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  return handler(
    new Request(`http://localhost${options.path ?? "/api/v1/payouts"}`, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { params: Promise.resolve({ ...(options.params ?? {}) }) as Promise<Record<string, string>> },
  );
}

const create = (apiKey: string, body: unknown, idempotencyKey?: string) =>
  call(payouts.POST, apiKey, { method: "POST", body, idempotencyKey });

async function usdcAvailable(merchantId = merchantA) {
  const row = await database.db.balance.findUnique({
    where: { merchantId_chain_tokenSymbol: { merchantId, chain: "local", tokenSymbol: "USDC" } },
  });
  return row ? toBigInt(row.available) : 0n;
}

/** A USDC payout to `recipient`, told apart by its metadata `ref`. */
const usdcPayout = (amount: string, ref: string) => ({
  chain: "local",
  token: "USDC",
  amount,
  address: recipient,
  metadata: { ref },
});

describe("POST /api/v1/payouts", () => {
  it("creates a payout pending approval, reserves the funds and records payout.created; the same key replays it", async () => {
    const body = usdcPayout("10.5", "inv-1");
    const response = await create(keyA, body, "po-key-1");
    expect(response.status).toBe(201);
    const created = ZPayoutObject.parse(await response.json());
    expect(created).toMatchObject({
      status: "pending_approval",
      amount: "10.5",
      amount_base_units: "10500000",
      address: recipient,
      token: { symbol: "USDC", decimals: 6 },
      metadata: { ref: "inv-1" },
    });
    expect(created.id).toMatch(/^po_/);
    expect(await usdcAvailable()).toBe(89_500_000n);
    const entry = await database.db.balanceTransaction.findFirstOrThrow({ where: { payoutId: created.id } });
    expect(entry.type).toBe("payout");
    expect(toBigInt(entry.amount)).toBe(-10_500_000n);
    expect(await database.db.event.count({ where: { objectId: created.id, type: "payout.created" } })).toBe(
      1,
    );

    const replay = await create(keyA, body, "po-key-1");
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await replay.json()).id).toBe(created.id);
    expect(await usdcAvailable()).toBe(89_500_000n);
    const conflict = await create(keyA, { ...body, amount: "1" }, "po-key-1");
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).code).toBe("idempotency_conflict");
  });

  it("a failure while storing the response rolls back the payout and its debit; the retry creates exactly one", async () => {
    // Regression (database restart scenario): the payout committed, the database went down before
    // its response was stored, and the retry after the 30 s takeover created a second payout.
    // Here the store fails like a shutdown does (SQLSTATE 57P01), from a trigger on that one key.
    await database.db.$executeRawUnsafe(`
      CREATE FUNCTION test_lose_response() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.key = 'po-lost' AND NEW.response_status IS NOT NULL THEN
          RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
        END IF;
        RETURN NEW;
      END $$`);
    await database.db.$executeRawUnsafe(
      "CREATE TRIGGER test_lose_response BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION test_lose_response()",
    );
    const body = usdcPayout("2", "lost");
    const payoutsOf = () =>
      database.db.payout.findMany({
        where: { metadata: { path: ["ref"], equals: "lost" } },
        select: { id: true },
      });
    const before = await usdcAvailable();
    const entriesBefore = await database.db.balanceTransaction.count();
    try {
      const lost = await create(keyA, body, "po-lost");
      expect(lost.status).toBe(503);
      expect(lost.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      await database.db.$executeRawUnsafe("DROP TRIGGER test_lose_response ON idempotency_keys");
      await database.db.$executeRawUnsafe("DROP FUNCTION test_lose_response()");
    }
    expect(await payoutsOf()).toEqual([]);
    expect(await database.db.balanceTransaction.count()).toBe(entriesBefore);
    expect(await usdcAvailable()).toBe(before);
    expect(await database.db.idempotencyKey.count({ where: { key: "po-lost" } })).toBe(0);

    // The retry runs at once (no claim was left); concurrent duplicates replay its answer.
    const retries = await Promise.all([1, 2, 3].map(() => create(keyA, body, "po-lost")));
    expect(retries.map((response) => response.status)).toEqual([201, 201, 201]);
    expect(retries.filter((response) => response.headers.get("idempotent-replayed") === "true")).toHaveLength(
      2,
    );
    const ids = new Set(await Promise.all(retries.map(async (response) => (await response.json()).id)));
    expect([...ids]).toEqual((await payoutsOf()).map((row) => row.id));
    expect(await usdcAvailable()).toBe(before - 2_000_000n);
    expect(await database.db.balanceTransaction.count()).toBe(entriesBefore + 1);
    expect(await findLedgerMismatches(database.db)).toEqual([]);
  });

  it("fans payout.created out to the merchant's webhook endpoints", async () => {
    const logger = createLogger({}, { level: "error" });
    const endpoint = await createWebhookEndpoint(
      { ...webhookDeps(database.db, logger), actor: OPERATOR },
      merchantA,
      {
        url: "http://127.0.0.1:9/hooks",
        enabled_events: ["payout.created"],
      },
    );
    const response = await create(keyA, { chain: "local", token: "USDC", amount: "0.5", address: recipient });
    const { id } = await response.json();
    const event = await database.db.event.findFirstOrThrow({
      where: { objectId: id, type: "payout.created" },
    });
    expect((event.data as { id: string; amount: string }).amount).toBe("0.5");
    expect(
      await database.db.webhookDelivery.count({ where: { eventId: event.id, endpointId: endpoint.id } }),
    ).toBe(1);
    // Back to the balance the next tests expect.
    await call(reject.POST, approverA.apiKey, { method: "POST", params: { id } });
  });

  it("refuses invalid payouts with 422 and a field path, reserving nothing", async () => {
    const before = await usdcAvailable();
    const cases: [unknown, string][] = [
      [{ chain: "local", token: "USDC", amount: "1", address: withWrongChecksum(recipient) }, "address"],
      [
        { chain: "local", token: "USDC", amount: "1", address: "0x0000000000000000000000000000000000000000" },
        "address",
      ],
      [{ chain: "local", token: "USDC", amount: "1", address: "0x1234" }, "address"],
      [{ chain: "local", token: "USDC", amount: "1", address: depositOfB }, "address"],
      [{ chain: "local", token: "USDC", amount: "1", address: hotWalletOfA }, "address"],
      [{ chain: "local", token: "USDC", amount: "1000", address: recipient }, "amount"],
      [{ chain: "local", token: "USDC", amount: 1, address: recipient }, "amount"],
      [{ chain: "local", token: "USDC", amount: "0.0000001", address: recipient }, "amount"],
      [{ chain: "local", token: "USDC", amount: "-1", address: recipient }, "amount"],
      [{ chain: "local", token: "DOGE", amount: "1", address: recipient }, "token"],
      [{ chain: "mars", token: "USDC", amount: "1", address: recipient }, "chain"],
      [{ chain: "local", amount: "1", address: recipient }, "amount"], // no ETH balance
    ];
    for (const [body, path] of cases) {
      const response = await create(keyA, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = await response.json();
      expect(
        problem.errors.map((error: { path: string }) => error.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(await usdcAvailable()).toBe(before);
  });

  it("answers 409 in treasury mode", async () => {
    const response = await create(keyB, { chain: "local", token: "USDC", amount: "1", address: recipient });
    expect(response.status).toBe(409);
    expect((await response.json()).detail).toMatch(/balance settlement mode/);
  });

  it("applies per-payout and daily limits and auto-approves below the threshold", async () => {
    // A plain integration key cannot raise its own auto-approval (settings:write is the owner's).
    const refused = await call(limits.PUT, keyA, {
      method: "PUT",
      body: { chain: "local", token: "USDC", auto_approve_below: "1000000" },
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toMatch(/settings:write/);
    expect(await database.db.payoutLimit.count({ where: { merchantId: merchantA } })).toBe(0);
    const set = await call(limits.PUT, settingsA, {
      method: "PUT",
      body: {
        chain: "local",
        token: "USDC",
        max_per_payout: "20",
        max_per_day: "40",
        auto_approve_below: "5",
      },
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({
      object: "payout_limits",
      chain: "local",
      token: "USDC",
      max_per_payout: "20",
      max_per_day: "40",
      auto_approve_below: "5",
      pending_change: null,
    });
    const tooBig = await create(keyA, {
      chain: "local",
      token: "USDC",
      amount: "20.000001",
      address: recipient,
    });
    expect(tooBig.status).toBe(422);
    expect((await tooBig.json()).detail).toMatch(/per-payout limit/);

    const small = ZPayoutObject.parse(
      await (
        await create(keyA, { chain: "local", token: "USDC", amount: "4.99", address: recipient })
      ).json(),
    );
    expect(small.status).toBe("approved");
    expect(small.approved_at).not.toBeNull();
    expect(small.reviewed_by).toEqual({ type: "auto_approval", id: null });
    // 10.5 + 4.99 already today; 20 more would make 35.49, 5 more after that exceeds 40.
    expect(
      (await create(keyA, { chain: "local", token: "USDC", amount: "20", address: recipient })).status,
    ).toBe(201);
    const overDay = await create(keyA, { chain: "local", token: "USDC", amount: "5", address: recipient });
    expect(overDay.status).toBe(422);
    expect((await overDay.json()).detail).toMatch(/daily payout limit/);
    expect((await (await call(limits.GET, keyB)).json()).data).toEqual([]);
    // Lift the limits for the rest of the file.
    await call(limits.PUT, settingsA, { method: "PUT", body: { chain: "local", token: "USDC" } });
  });
});

describe("approval", () => {
  it("approves a pending payout once, and rejects another, returning its funds with payout_reversed", async () => {
    const pending = await database.db.payout.findMany({
      where: { merchantId: merchantA, status: "pending_approval" },
      orderBy: { createdAt: "asc" },
    });
    const [first, second] = pending;
    if (!first || !second) throw new Error("expected two pending payouts");
    const path = (id: string, verb: string) => ({
      method: "POST",
      path: `/api/v1/payouts/${id}/${verb}`,
      params: { id },
    });

    const approved = await call(approve.POST, approverA.apiKey, path(first.id, "approve"));
    expect(approved.status).toBe(200);
    const approvedBody = ZPayoutObject.parse(await approved.json());
    expect(approvedBody.status).toBe("approved");
    expect(approvedBody.reviewed_by).toEqual({ type: "api_key", id: approverA.id });
    expect((await call(approve.POST, approverA.apiKey, path(first.id, "approve"))).status).toBe(409);
    expect((await call(reject.POST, approverA.apiKey, path(first.id, "reject"))).status).toBe(409);

    const before = await usdcAvailable();
    // The owner rejects in the dashboard: the same service, with the signed-in user as reviewer.
    const rejected = await rejectPayout(
      {
        db: database.db,
        chains: configuredChains(),
        actor: userActor({ merchantId: merchantA, userId: ownerOfA, role: "owner" }),
      },
      merchantA,
      second.id,
    );
    expect(rejected.status).toBe("rejected");
    expect(rejected.reviewed_by).toEqual({ type: "user", id: ownerOfA });
    expect((await usdcAvailable()) - before).toBe(toBigInt(second.amount));
    const reversal = await database.db.balanceTransaction.findFirstOrThrow({
      where: { payoutId: second.id, type: "payout_reversed" },
    });
    expect(toBigInt(reversal.amount)).toBe(toBigInt(second.amount));
    expect(await findLedgerMismatches(database.db)).toEqual([]);
  });

  it("refuses approval to a key without payouts:approve and to users other than the owner (403), changing nothing", async () => {
    const created = ZPayoutObject.parse(
      await (await create(keyA, { chain: "local", token: "USDC", amount: "7", address: recipient })).json(),
    );
    expect(created.status).toBe("pending_approval");
    const path = (verb: string) => ({
      method: "POST",
      path: `/api/v1/payouts/${created.id}/${verb}`,
      params: { id: created.id },
    });
    for (const [handler, verb] of [
      [approve.POST, "approve"],
      [reject.POST, "reject"],
    ] as const) {
      const response = await call(handler, keyA, path(verb));
      expect(response.status).toBe(403);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = await response.json();
      expect(problem.code).toBe("forbidden");
      expect(problem.detail).toMatch(/payouts:approve/);
    }
    // A revoked approver key and a dashboard user who is not the owner are refused as well.
    const revoked = await createApiKey(
      { db: database.db, actor: OPERATOR },
      {
        merchantId: merchantA,
        name: "revoked approver",
        permissions: ["payouts:approve"],
      },
    );
    await database.db.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const deps = { db: database.db, chains: configuredChains() };
    // A key actor is built only from a valid key (authenticateApiKey): the revoked key never gets one.
    const plainKey = await database.db.apiKey.findFirstOrThrow({
      where: { merchantId: merchantA, name: "a" },
    });
    await expect(
      approvePayout(
        {
          ...deps,
          actor: apiKeyActor({
            merchantId: merchantA,
            apiKeyId: plainKey.id,
            permissions: plainKey.permissions,
          }),
        },
        merchantA,
        created.id,
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    const viewer = await database.db.user.create({
      data: {
        id: "usr_viewerOfMerchantA00000",
        merchantId: merchantA,
        email: "viewer@a.example",
        passwordHash: "x",
        role: "viewer",
      },
    });
    await expect(
      approvePayout(
        { ...deps, actor: userActor({ merchantId: merchantA, userId: viewer.id, role: "viewer" }) },
        merchantA,
        created.id,
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    // The owner of another merchant cannot review A's payout either.
    const ownerOfB = await database.db.user.findFirstOrThrow({ where: { merchantId: merchantB } });
    await expect(
      approvePayout(
        { ...deps, actor: userActor({ merchantId: merchantB, userId: ownerOfB.id, role: "owner" }) },
        merchantA,
        created.id,
      ),
    ).rejects.toMatchObject({ code: "not_found" });
    const unchanged = await database.db.payout.findUniqueOrThrow({ where: { id: created.id } });
    expect(unchanged.status).toBe("pending_approval");
    expect(unchanged.reviewedBy).toBeNull();
    const approved = await approvePayout(
      { ...deps, actor: userActor({ merchantId: merchantA, userId: ownerOfA, role: "owner" }) },
      merchantA,
      created.id,
    );
    expect(approved.reviewed_by).toEqual({ type: "user", id: ownerOfA });
  });

  it("only the owner grants payouts:approve to a new key", async () => {
    const viewer = await database.db.user.findUniqueOrThrow({ where: { email: "viewer@a.example" } });
    await expect(
      createApiKey(
        { db: database.db, actor: userActor({ merchantId: merchantA, userId: viewer.id, role: "viewer" }) },
        { merchantId: merchantA, name: "sneaky", permissions: ["payouts:approve"] },
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    // An admin holds keys:write but not payouts:approve: refused too.
    await expect(
      createApiKey(
        { db: database.db, actor: userActor({ merchantId: merchantA, userId: viewer.id, role: "admin" }) },
        { merchantId: merchantA, name: "sneaky", permissions: ["payments:read", "payouts:approve"] },
      ),
    ).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/payouts:approve/) });
    const granted = await createApiKey(
      { db: database.db, actor: userActor({ merchantId: merchantA, userId: ownerOfA, role: "owner" }) },
      { merchantId: merchantA, name: "back office", permissions: ["payouts:approve"] },
    );
    expect(granted.permissions).toEqual(["payouts:approve"]);
    const plain = await createApiKey(
      { db: database.db, actor: userActor({ merchantId: merchantA, userId: ownerOfA, role: "owner" }) },
      { merchantId: merchantA, name: "integration" },
    );
    expect(plain.permissions).toEqual([...DEFAULT_API_KEY_PERMISSIONS].sort());
  });

  it("keeps merchants apart: another merchant's payout is a 404 everywhere", async () => {
    const mine = await database.db.payout.findFirstOrThrow({ where: { merchantId: merchantA } });
    const params = { params: { id: mine.id } };
    expect((await call(payout.GET, keyB, { ...params, path: `/api/v1/payouts/${mine.id}` })).status).toBe(
      404,
    );
    expect((await call(approve.POST, approverB, { ...params, method: "POST" })).status).toBe(404);
    expect((await call(reject.POST, approverB, { ...params, method: "POST" })).status).toBe(404);
    expect((await (await call(payouts.GET, keyB)).json()).data).toEqual([]);
    const own = await call(payout.GET, keyA, { ...params, path: `/api/v1/payouts/${mine.id}` });
    expect(own.status).toBe(200);
    expect(ZPayoutObject.parse(await own.json()).id).toBe(mine.id);
    expect((await call(payout.GET, keyA, { params: { id: "po_nope" } })).status).toBe(404);
  });

  it("lists payouts newest first with filters and cursor pages", async () => {
    const all = await (await call(payouts.GET, keyA, { path: "/api/v1/payouts?limit=2" })).json();
    expect(all.data).toHaveLength(2);
    expect(all.has_more).toBe(true);
    const next = await (
      await call(payouts.GET, keyA, { path: `/api/v1/payouts?limit=2&starting_after=${all.next_cursor}` })
    ).json();
    expect(next.data.length).toBeGreaterThan(0);
    const rejected = await (
      await call(payouts.GET, keyA, { path: "/api/v1/payouts?status=rejected" })
    ).json();
    expect(rejected.data.map((p: { status: string }) => p.status)).toEqual(["rejected", "rejected"]);
    expect((await call(payouts.GET, keyA, { path: "/api/v1/payouts?status=lost" })).status).toBe(422);
  });
});

describe("concurrency", () => {
  it("50 concurrent payouts racing for one balance never overdraw it; what was created equals what was debited", async () => {
    const before = await usdcAvailable();
    // Room for exactly 7 payouts of 7 USDC (and a remainder below 7).
    await adjustBalance(database.db, merchantA, { tokenSymbol: "USDC", amount: -(before - 50_000_000n) });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        create(keyA, { chain: "local", token: "USDC", amount: "7", address: recipient }, `race-${index}`),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(7);
    expect(statuses.filter((status) => status === 422)).toHaveLength(43);
    expect(await usdcAvailable()).toBe(1_000_000n);
    expect(await findLedgerMismatches(database.db)).toEqual([]);
  });
});

describe("POST /api/v1/payments/{id}/refund", () => {
  it("answers 409 in treasury mode, 404 for another merchant's payment and 409 before settlement", async () => {
    const params = { method: "POST", params: { id: paymentOfB }, body: { address: recipient } };
    const treasury = await call(refund.POST, keyB, params);
    expect(treasury.status).toBe(409);
    expect((await treasury.json()).detail).toMatch(/treasury mode/);
    expect((await call(refund.POST, keyA, params)).status).toBe(404);

    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains: configuredChains(), baseUrl: "http://localhost" },
      merchantA,
      { chain: "local", token: "USDC", amount: "1" },
    );
    const pending = await call(refund.POST, keyA, { ...params, params: { id: payment.id } });
    expect(pending.status).toBe(409);
    expect((await pending.json()).detail).toMatch(/settled/);
    // With a key, the refund runs in the key's transaction (atomicIdempotency): its 409 is stored
    // with the key and replayed.
    const keyed = { ...params, path: `/api/v1/payments/${payment.id}/refund`, params: { id: payment.id } };
    const first = await call(refund.POST, keyA, { ...keyed, idempotencyKey: "refund-1" });
    expect(first.status).toBe(409);
    const replayed = await call(refund.POST, keyA, { ...keyed, idempotencyKey: "refund-1" });
    expect(replayed.status).toBe(409);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(await replayed.json()).toEqual(await first.json());
  });
});
