// Resilience scenario "database restart mid-load" (RELIABILITY.md): the route handlers of the API
// serve a steady load of payment and payout creations (each with an Idempotency-Key; a payout debits
// the merchant's balance in the same transaction), lists and health checks
// from their process-wide database client while the real PostgreSQL server behind it (its own
// embedded cluster, not the run's shared one) is shut down and started again. While it is down
// every answer is a 503 problem+json with Retry-After; afterwards the same client recovers without
// any restart; retrying each failed creation with its key creates every payment and payout exactly
// once, each complete (its event, its own deposit address, its one ledger debit; the ledger rebuilt
// from its entries equals the balance). DB_DOWN_SECONDS sets the outage
// (default 4 in `npm test`, 20 in `npm run test:resilience`).

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { migrateDatabase } from "../db/migrate";
import { ABANDONED_CLAIM_MS } from "../idempotency/with-idempotency";
import { toBigInt } from "../payments/payment-object";
import { type RunningPostgres, startEmbeddedPostgres } from "../runtime/embedded-postgres";
import { freePort } from "../runtime/free-port";
import { adjustBalance } from "../testing/ledger";
import { testChain } from "../testing/test-chain";

const DOWN_MS = Number(process.env.DB_DOWN_SECONDS ?? 4) * 1_000;
const INITIAL_BALANCE = 1_000n * 10n ** 18n;
const CONCURRENCY = 6;

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Outcome = {
  op: string;
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  code?: string;
};

let workDir: string;
let port: number;
let postgres: RunningPostgres;
let createPaymentRoute: Handler;
let createPayoutRoute: Handler;
let listPaymentsRoute: Handler;
let getPaymentRoute: Handler;
let healthRoute: () => Promise<Response>;
let db: typeof import("../db/client").db;
let apiKey: string;
/** Errors the API logged as bugs (its 500s), for the failure message. */
const unhandled: string[] = [];

const startPostgres = () =>
  startEmbeddedPostgres({ dataDir: join(workDir, "postgres"), port, database: "ctrip", persistent: true });

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "ctrip-db-restart-"));
  port = await freePort();
  postgres = await startPostgres();
  await migrateDatabase(postgres.databaseUrl);
  const chainsFile = join(workDir, "chains.yaml");
  writeFileSync(chainsFile, JSON.stringify({ chains: [testChain()] }));
  vi.stubEnv("DATABASE_URL", postgres.databaseUrl);
  vi.stubEnv("CHAINS_FILE", chainsFile);
  vi.stubEnv("API_RATE_LIMIT_PER_SECOND", "100000");
  vi.stubEnv("API_RATE_LIMIT_BURST", "100000");
  vi.resetModules();
  createPaymentRoute = (await import("../../app/api/v1/payments/route")).POST as Handler;
  listPaymentsRoute = (await import("../../app/api/v1/payments/route")).GET as Handler;
  getPaymentRoute = (await import("../../app/api/v1/payments/[id]/route")).GET as Handler;
  createPayoutRoute = (await import("../../app/api/v1/payouts/route")).POST as Handler;
  healthRoute = (await import("../../app/api/health/route")).GET;
  ({ db } = await import("../db/client"));
  // Each 503 logs the database's error: expected here, thousands of lines.
  const { logger } = await import("../logger");
  vi.spyOn(logger, "error").mockImplementation((message, fields) => {
    if (message.startsWith("unhandled"))
      unhandled.push(String((fields?.error as Error | undefined)?.message));
  });
  const { createMerchant } = await import("../merchants/create-merchant");
  const { createApiKey } = await import("../api-keys/create-api-key");
  const merchant = await createMerchant(db(), {
    name: "Restart",
    email: "restart@example.com",
    password: "pw",
  });
  ({ apiKey } = await createApiKey(
    { db: db(), actor: OPERATOR },
    { merchantId: merchant.merchantId, name: "load" },
  ));
  // Payouts spend a balance: balance settlement mode, and 1,000 ETH credited.
  const { setTreasurySetting } = await import("../settlement/set-treasury-setting");
  await setTreasurySetting({ actor: OPERATOR, db: db(), chains: [testChain()] }, merchant.merchantId, {
    chain: "local",
    mode: "balance",
  });
  await adjustBalance(db(), merchant.merchantId, { tokenSymbol: "ETH", amount: INITIAL_BALANCE });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await db?.().$disconnect();
  await postgres?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const noParams = { params: Promise.resolve({}) };

function post(route: Handler, path: string, key: string, body: object) {
  return route(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify(body),
    }),
    noParams,
  );
}

function createPayment(key: string, amount: string) {
  return post(createPaymentRoute, "/api/v1/payments", key, { chain: "local", amount, order_id: key });
}

/** A payout of `amount` ETH to its own fresh address, which names it (the key is in its metadata). */
function createPayout(key: string, amount: string, address: string) {
  return post(createPayoutRoute, "/api/v1/payouts", key, {
    chain: "local",
    amount,
    address,
    metadata: { key },
  });
}

async function outcomeOf(op: string, response: Response): Promise<Outcome & { body: unknown }> {
  const body = await response.json().catch(() => null);
  return {
    op,
    status: response.status,
    contentType: response.headers.get("content-type"),
    retryAfter: response.headers.get("retry-after"),
    code: (body as { code?: string } | null)?.code,
    body,
  };
}

describe("PostgreSQL stopped and restarted under API load", () => {
  it(`answers 503 while down, recovers by itself, and writes nothing partially (${DOWN_MS / 1000} s down)`, {
    timeout: 180_000 + DOWN_MS * 2,
  }, async () => {
    const creations = new Map<string, { amount: string; first: Outcome; paymentId?: string }>();
    const payoutCreations = new Map<
      string,
      { amount: string; address: string; first: Outcome; payoutId?: string }
    >();
    const outcomes: (Outcome & { phase: string })[] = [];
    let phase = "up";
    let running = true;
    let counter = 0;
    let lastPaymentId: string | undefined;
    const client = async () => {
      while (running) {
        const pick = counter++ % 6;
        const current = phase;
        if (pick === 2) {
          const key = randomUUID();
          const amount = `0.00${(counter % 900) + 100}`;
          const address = privateKeyToAddress(generatePrivateKey());
          const outcome = await outcomeOf("payout", await createPayout(key, amount, address));
          payoutCreations.set(key, {
            amount,
            address,
            first: outcome,
            payoutId: (outcome.body as { id?: string })?.id,
          });
          outcomes.push({ ...outcome, phase: current });
        } else if (pick < 3) {
          const key = randomUUID();
          const amount = `0.${(counter % 900) + 100}`;
          const outcome = await outcomeOf("create", await createPayment(key, amount));
          const paymentId = (outcome.body as { id?: string })?.id;
          creations.set(key, { amount, first: outcome, paymentId });
          if (outcome.status === 201 && paymentId) lastPaymentId = paymentId;
          outcomes.push({ ...outcome, phase: current });
        } else if (pick === 3) {
          const response = await listPaymentsRoute(
            new Request("http://localhost/api/v1/payments?limit=5", {
              headers: { authorization: `Bearer ${apiKey}` },
            }),
            noParams,
          );
          outcomes.push({ ...(await outcomeOf("list", response)), phase: current });
        } else if (pick === 5 && lastPaymentId) {
          // One payment by id: the pipelined reader's connections (lib/db/read-pipeline.ts).
          const id = lastPaymentId;
          const response = await getPaymentRoute(
            new Request(`http://localhost/api/v1/payments/${id}`, {
              headers: { authorization: `Bearer ${apiKey}` },
            }),
            { params: Promise.resolve({ id }) },
          );
          const outcome = await outcomeOf("get", response);
          if (outcome.status === 200) expect((outcome.body as { id: string }).id).toBe(id);
          outcomes.push({ ...outcome, phase: current });
        } else outcomes.push({ ...(await outcomeOf("health", await healthRoute())), phase: current });
        // A steady load (about 40 requests/s per client), not a busy loop of instant 503s.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const clients = Array.from({ length: CONCURRENCY }, client);

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    phase = "stopping";
    await postgres.stop();
    phase = "down";
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    phase = "restarting";
    postgres = await startPostgres();
    const restartedAt = Date.now();
    phase = "restarted";
    // The same route handlers and database client: the first creation that succeeds after the restart.
    let recoveredAfterMs: number | null = null;
    while (recoveredAfterMs === null && Date.now() - restartedAt < 30_000) {
      const probe = await createPayment(randomUUID(), "0.5");
      if (probe.status === 201) recoveredAfterMs = Date.now() - restartedAt;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    phase = "recovered";
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    running = false;
    await Promise.all(clients);

    // Never a 500: 2xx, or 503 problem+json with Retry-After (health: its documented 503 "down").
    const unexpected = outcomes.filter(
      (outcome) =>
        !(outcome.status >= 200 && outcome.status < 300) &&
        !(outcome.status === 503 && outcome.op === "health") &&
        !(
          outcome.status === 503 &&
          outcome.contentType === "application/problem+json" &&
          outcome.retryAfter === "5" &&
          outcome.code === "service_unavailable"
        ),
    );
    expect(unexpected, JSON.stringify({ unexpected: unexpected.slice(0, 5), unhandled })).toEqual([]);
    const down = outcomes.filter((outcome) => outcome.phase === "down");
    expect(down.length).toBeGreaterThan(0);
    for (const outcome of down) expect(outcome.status).toBe(503);
    expect(recoveredAfterMs).not.toBeNull();
    // Reads by id came back with the rest: the pipelined connections reopened by themselves.
    const reads = outcomes.filter((outcome) => outcome.op === "get");
    expect(reads.filter((outcome) => outcome.phase === "down").length).toBeGreaterThan(0);
    const readsAfter = reads.filter((outcome) => outcome.phase === "recovered");
    expect(readsAfter.length).toBeGreaterThan(0);
    expect(readsAfter.map((outcome) => outcome.status)).toEqual(readsAfter.map(() => 200));

    // The client retries every creation that failed, with the same key and body: each answers 201.
    let retried = 0;
    const stuckClaims = new Set<string>();
    const failed = [...creations].filter(([, creation]) => creation.first.status !== 201);
    const retryOne = async ([key, creation]: (typeof failed)[number]) => {
      retried += 1;
      // A claim the outage left behind answers 409 "still being processed" until it is abandoned.
      const deadline = Date.now() + ABANDONED_CLAIM_MS + 15_000;
      let retry = await outcomeOf("create", await createPayment(key, creation.amount));
      while (retry.status === 409 && retry.code === "conflict" && Date.now() < deadline) {
        stuckClaims.add(key);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        retry = await outcomeOf("create", await createPayment(key, creation.amount));
      }
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      creation.paymentId = (retry.body as { id: string }).id;
    };
    for (let start = 0; start < failed.length; start += CONCURRENCY * 4)
      await Promise.all(failed.slice(start, start + CONCURRENCY * 4).map(retryOne));
    const failedPayouts = [...payoutCreations].filter(([, creation]) => creation.first.status !== 201);
    const retryPayout = async ([key, creation]: (typeof failedPayouts)[number]) => {
      retried += 1;
      const deadline = Date.now() + ABANDONED_CLAIM_MS + 15_000;
      let retry = await outcomeOf("payout", await createPayout(key, creation.amount, creation.address));
      while (retry.status === 409 && retry.code === "conflict" && Date.now() < deadline) {
        stuckClaims.add(key);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        retry = await outcomeOf("payout", await createPayout(key, creation.amount, creation.address));
      }
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      creation.payoutId = (retry.body as { id: string }).id;
    };
    for (let start = 0; start < failedPayouts.length; start += CONCURRENCY * 4)
      await Promise.all(failedPayouts.slice(start, start + CONCURRENCY * 4).map(retryPayout));
    // A replay of a success returns the same payment.
    const [someKey, some] = [...creations].find(([, creation]) => creation.first.status === 201) ?? [];
    if (someKey && some) {
      const replay = await createPayment(someKey, some.amount);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(((await replay.json()) as { id: string }).id).toBe(some.paymentId);
    }

    // No partial or doubled writes: one payment per key, each with its event and its own address.
    const payments = await db().payment.findMany({
      where: { orderId: { in: [...creations.keys()] } },
      select: { id: true, orderId: true, depositAddress: true, derivationIndex: true },
    });
    expect(payments).toHaveLength(creations.size);
    for (const payment of payments) expect(payment.id).toBe(creations.get(payment.orderId ?? "")?.paymentId);
    const all = await db().payment.findMany({
      select: { id: true, depositAddress: true, derivationIndex: true },
    });
    expect(new Set(all.map((payment) => payment.depositAddress)).size).toBe(all.length);
    expect(new Set(all.map((payment) => payment.derivationIndex)).size).toBe(all.length);
    const created = await db().event.findMany({
      where: { type: "payment.created" },
      select: { objectId: true },
    });
    expect(created.map((event) => event.objectId).sort()).toEqual(all.map((payment) => payment.id).sort());
    expect(await db().idempotencyKey.count({ where: { responseStatus: null } })).toBe(0);

    // Payouts: one per key, to its address, for its amount, with its event and exactly one debit;
    // the balance is the credit less every payout, and the ledger rebuilt from its entries agrees.
    const payouts = await db().payout.findMany({
      select: { id: true, toAddress: true, amount: true },
    });
    expect(payouts).toHaveLength(payoutCreations.size);
    const payoutOf = new Map(payouts.map((payout) => [payout.id, payout]));
    for (const creation of payoutCreations.values()) {
      const payout = payoutOf.get(creation.payoutId ?? "");
      expect(payout?.toAddress.toLowerCase()).toBe(creation.address.toLowerCase());
      expect(toBigInt(payout?.amount ?? { toFixed: () => "0" })).toBe(parseEther(creation.amount));
    }
    const debits = await db().balanceTransaction.findMany({
      where: { type: "payout" },
      select: { payoutId: true, amount: true },
    });
    expect(debits.map((debit) => debit.payoutId).sort()).toEqual(payouts.map((payout) => payout.id).sort());
    const payoutEvents = await db().event.findMany({
      where: { type: "payout.created" },
      select: { objectId: true },
    });
    expect(payoutEvents.map((event) => event.objectId).sort()).toEqual(
      payouts.map((payout) => payout.id).sort(),
    );
    const [balance] = await db().balance.findMany({ where: { tokenSymbol: "ETH" } });
    const paidOut = payouts.reduce((total, payout) => total + toBigInt(payout.amount), 0n);
    expect(toBigInt(balance?.available ?? { toFixed: () => "0" })).toBe(INITIAL_BALANCE - paidOut);
    expect(await findLedgerMismatches(db())).toEqual([]);

    const count = (filter: (outcome: (typeof outcomes)[number]) => boolean) => outcomes.filter(filter).length;
    console.log(
      JSON.stringify({
        scenario: "database-restart",
        downSeconds: DOWN_MS / 1000,
        requests: outcomes.length,
        ok: count((outcome) => outcome.status < 300),
        unavailable503: count((outcome) => outcome.status === 503),
        answeredWhileDown: down.length,
        readsById: reads.length,
        recoveredAfterSeconds: (recoveredAfterMs ?? 0) / 1000,
        creations: creations.size,
        payoutCreations: payoutCreations.size,
        retriedWithSameKey: retried,
        claimsTakenOverAfterAbandon: stuckClaims.size,
        payments: all.length,
        payouts: payouts.length,
      }),
    );
  });
});
