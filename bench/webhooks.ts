// `npm run bench:webhooks`: webhook delivery throughput and latency with the embedded runner's
// webhook job (lib/jobs/jobs.ts → lib/webhooks/webhook-dispatcher.ts) on a real embedded PostgreSQL,
// to real HTTP receivers on loopback. Events are inserted (the trigger fans them out to deliveries);
// latency is event created_at → the receiver getting the request.
//
// Baseline: the same number of signed POSTs sent straight to a loopback receiver by a bare loop with
//           the dispatcher's per-endpoint concurrency (16), no database: the ceiling of the receiver.
// Capacity: BENCH_EVENTS (default 5000) events inserted at once for one healthy endpoint: the
//        deliveries/s the dispatcher sustains (target ≥ 500).
// Steady: the same number at BENCH_EVENTS_PER_SECOND (default 500, the throughput target) to one
//        healthy endpoint, then at half that rate to 4 endpoints of which 2 hang (never answer, 10 s
//        timeout), so the two healthy ones again get 500 deliveries/s between them: their latency
//        must stay within the target (p99 ≤ 1 s) with the dead endpoints beside them.
// Detection: an Anvil devnet with 1 s interval mining (as `npm start`), the embedded runner's chain
//        scanner and webhook jobs; BENCH_PAYMENTS (default 200) USDC payments paid by real transfers.
//        Latency = the paying block first seen by the bench (polling every 10 ms) → its
//        `payment.detected` webhook at the receiver. Its baseline is a bare eth_getLogs poller at the
//        scanner's interval: the floor of any polling watcher.
// Env: BENCH_EVENTS, BENCH_EVENTS_PER_SECOND (default 500), BENCH_PAYMENTS, BENCH_LOG_LEVEL.

import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, createPublicClient, createWalletClient, type Hash, http, parseAbiItem } from "viem";
import { OPERATOR } from "@/lib/access/actor";
import { ZChain } from "../lib/config/chains";
import { databaseUrlFor, withAdmin } from "../lib/db/admin";
import { createDb, type Db } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { MOCK_USDC_ADDRESS, mockUsdcAbi } from "../lib/devnet/mock-usdc";
import { anvilDefaultAccounts, setupDevnet } from "../lib/devnet/setup-devnet";
import { startEmbeddedRunner } from "../lib/jobs/embedded-runner";
import { chainScanJob, webhookDeliveryJob } from "../lib/jobs/jobs";
import { createLogger } from "../lib/logger";
import { createMerchant } from "../lib/merchants/create-merchant";
import { createPayment } from "../lib/payments/create-payment";
import { startAnvil } from "../lib/runtime/anvil";
import { startEmbeddedPostgres } from "../lib/runtime/embedded-postgres";
import { freePort } from "../lib/runtime/free-port";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/testing/webhook-receiver";
import { createWebhookEndpoint } from "../lib/webhooks/create-webhook-endpoint";
import { sendWebhook } from "../lib/webhooks/send-webhook";
import { webhookDeps } from "../lib/webhooks/webhook-deps";
import { sharedWebhookDispatcher } from "../lib/webhooks/webhook-dispatcher";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
/** Offered rate of the latency runs: the throughput target, 500 events/s. */
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 500);
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 200);
const BATCH = 50;
const PER_ENDPOINT = 16;
const logger = createLogger({}, { level: (process.env.BENCH_LOG_LEVEL as "error" | undefined) ?? "error" });

type Result = {
  label: string;
  deliveries: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** Inserts the events at `rate` per second (Infinity: all at once, for the capacity run). */
async function insertEvents(db: Db, merchantId: string, rate: number): Promise<void> {
  const started = Date.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    const count = Math.min(BATCH, EVENTS - sent);
    // One statement per batch; the AFTER INSERT trigger creates the deliveries.
    await db.$executeRaw`
      INSERT INTO events (id, merchant_id, type, object_id, data, created_at)
      SELECT ctrip_new_id('evt'), ${merchantId}, 'payment.detected', 'pay_bench', '{"id":"pay_bench"}'::jsonb, clock_timestamp()
      FROM generate_series(1, ${count})`;
    const due = started + ((sent + count) / rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function measure(label: string, receivers: WebhookReceiver[], startedAt: number): Result {
  const latencies: number[] = [];
  let last = startedAt;
  for (const receiver of receivers)
    for (const webhook of receiver.received) {
      const body = JSON.parse(webhook.body) as { created_at: string };
      latencies.push(webhook.receivedAt - Date.parse(body.created_at));
      last = Math.max(last, webhook.receivedAt);
    }
  return latencyResult(label, latencies, (last - startedAt) / 1000);
}

const transferEvent = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

/**
 * Block → `payment.detected` webhook on a devnet mining a block a second, through the embedded
 * runner's scanner and webhook jobs, next to a bare eth_getLogs poller at the scanner's interval.
 */
async function detection(adminUrl: string): Promise<{ gateway: Result; poller: Result }> {
  const db = await freshDatabase(adminUrl, "bench_detection");
  const anvil = await startAnvil({ port: await freePort(), blockTime: 1 });
  const receiver = await startWebhookReceiver();
  const transport = http(anvil.rpcUrl, { retryCount: 0 });
  const client = createPublicClient({ transport, pollingInterval: 10 });
  const wallet = createWalletClient({ transport });
  const stops: (() => unknown)[] = [];
  try {
    await setupDevnet(anvil.rpcUrl, { tokenAddress: MOCK_USDC_ADDRESS, fundAccounts: 4 });
    const chain = ZChain.parse({
      name: "local",
      chainId: 31337,
      rpcUrls: [anvil.rpcUrl],
      confirmations: 2,
      blockTime: 1,
      nativeCurrency: { symbol: "ETH", decimals: 18 },
      explorerUrl: null,
      tokens: [{ symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 }],
    });
    const { merchantId } = await createMerchant(db, {
      name: "bench",
      email: "detection@bench.local",
      password: "bench-password",
    });
    await createWebhookEndpoint({ ...webhookDeps(db, logger), actor: OPERATOR }, merchantId, {
      url: receiver.url,
      enabled_events: ["payment.detected"],
    });
    const payments = [];
    for (let index = 0; index < PAYMENTS; index++)
      payments.push(
        await createPayment(
          { actor: OPERATOR, db, chains: [chain], baseUrl: "http://127.0.0.1:3000" },
          merchantId,
          {
            chain: "local",
            token: "USDC",
            amount: "1.5",
          },
        ),
      );
    const paymentOf = new Map(payments.map((payment) => [payment.address.toLowerCase(), payment.id]));

    const firstSeen = new Map<bigint, number>();
    stops.push(
      client.watchBlockNumber({
        pollingInterval: 10,
        emitMissed: true,
        onBlockNumber: (block) => {
          if (!firstSeen.has(block)) firstSeen.set(block, Date.now());
        },
      }),
    );
    const scanInterval = chainScanJob.intervalMs({ db, chains: [chain], logger });
    const pollerSeen = new Map<string, number>();
    let polling = true;
    const poller = (async () => {
      let from = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
      while (polling) {
        const head = await client.getBlockNumber({ cacheTime: 0 });
        if (head >= from) {
          const logs = await client.getLogs({
            address: MOCK_USDC_ADDRESS,
            event: transferEvent,
            fromBlock: from,
            toBlock: head,
          });
          for (const log of logs) {
            const id = paymentOf.get((log.args.to ?? "").toLowerCase());
            if (id && !pollerSeen.has(id)) pollerSeen.set(id, Date.now());
          }
          from = head + 1n;
        }
        await new Promise((resolve) => setTimeout(resolve, scanInterval));
      }
    })();
    const runner = startEmbeddedRunner({
      jobs: [chainScanJob, webhookDeliveryJob],
      context: { db, chains: [chain], logger },
      logger,
    });
    stops.push(() => runner.stop());

    // Real transfers, ~20 a second from 4 unlocked Anvil accounts: several payments per block.
    const payers = anvilDefaultAccounts(4) as Address[];
    const startedAt = Date.now();
    const hashes: Hash[] = [];
    for (const [index, payment] of payments.entries()) {
      hashes.push(
        await wallet.writeContract({
          account: payers[index % payers.length] as Address,
          chain: null,
          address: MOCK_USDC_ADDRESS,
          abi: mockUsdcAbi,
          functionName: "transfer",
          args: [payment.address as Address, 1_500_000n],
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const receipts = await Promise.all(
      hashes.map((hash) => client.waitForTransactionReceipt({ hash, timeout: 60_000, pollingInterval: 100 })),
    );
    const deadline = Date.now() + 120_000;
    while (receiver.received.length < PAYMENTS) {
      if (Date.now() > deadline)
        throw new Error(`detection: ${receiver.received.length} of ${PAYMENTS} webhooks after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    polling = false;
    await poller;
    const blockOf = new Map(payments.map((payment, index) => [payment.id, receipts[index]?.blockNumber]));
    const seenAt = (id: string) => {
      const block = blockOf.get(id);
      const seen = block === undefined ? undefined : firstSeen.get(block);
      if (seen === undefined) throw new Error(`detection: block of ${id} never seen`);
      return seen;
    };
    const gateway = receiver.received.map((webhook) => {
      const body = JSON.parse(webhook.body) as { data: { object: { id: string } } };
      return webhook.receivedAt - seenAt(body.data.object.id);
    });
    const bare = [...pollerSeen].map(([id, at]) => at - seenAt(id));
    const seconds = (Date.now() - startedAt) / 1000;
    return {
      gateway: latencyResult("block → payment.detected webhook (gateway)", gateway, seconds),
      poller: latencyResult(
        `baseline: block → bare eth_getLogs poller every ${scanInterval} ms`,
        bare,
        seconds,
      ),
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    await sharedWebhookDispatcher(db, logger).drain();
    await receiver.close();
    await anvil.stop();
    await db.$disconnect();
  }
}

async function freshDatabase(adminUrl: string, name: string): Promise<Db> {
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrlFor(adminUrl, name);
  await migrateDatabase(url);
  return createDb(url);
}

function latencyResult(label: string, latencies: number[], seconds: number): Result {
  latencies.sort((a, b) => a - b);
  return {
    label,
    deliveries: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(latencies.length / seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Signed POSTs straight to a receiver, PER_ENDPOINT at a time: no database, no dispatcher. */
async function baseline(): Promise<Result> {
  const receiver = await startWebhookReceiver();
  const latencies: number[] = [];
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PER_ENDPOINT }, async () => {
      while (next < EVENTS) {
        next += 1;
        const sent = Date.now();
        const result = await sendWebhook(
          { allowLoopbackTargets: true },
          {
            url: receiver.url,
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            messageId: `evt_${next}`,
            body: JSON.stringify({ id: `evt_${next}`, type: "payment.detected", data: { object: {} } }),
          },
        );
        if (!result.succeeded) throw new Error(`baseline: ${result.error}`);
        latencies.push(Date.now() - sent);
      }
    }),
  );
  await receiver.close();
  return latencyResult(
    `baseline: bare signed POSTs, ${PER_ENDPOINT} at a time`,
    latencies,
    (performance.now() - startedAt) / 1000,
  );
}

async function run(
  label: string,
  adminUrl: string,
  healthyCount: number,
  hangingCount: number,
  rate: number,
): Promise<Result> {
  const name = `bench_${label.replace(/\W/g, "_")}`;
  const db = await freshDatabase(adminUrl, name);
  const healthy = await Promise.all(Array.from({ length: healthyCount }, () => startWebhookReceiver()));
  const hanging = await Promise.all(
    Array.from({ length: hangingCount }, () => startWebhookReceiver(() => "hang")),
  );
  const { merchantId } = await createMerchant(db, {
    name: "bench",
    email: `${name}@bench.local`,
    password: "bench-password",
  });
  for (const receiver of [...healthy, ...hanging])
    await createWebhookEndpoint({ ...webhookDeps(db, logger), actor: OPERATOR }, merchantId, {
      url: receiver.url,
    });
  const runner = startEmbeddedRunner({
    jobs: [webhookDeliveryJob],
    context: { db, chains: [], logger },
    logger,
  });
  const startedAt = Date.now();
  try {
    await insertEvents(db, merchantId, rate);
    const expected = EVENTS * healthyCount;
    const deadline = Date.now() + 120_000;
    while (healthy.reduce((sum, receiver) => sum + receiver.received.length, 0) < expected) {
      if (Date.now() > deadline) throw new Error(`${label}: timed out waiting for deliveries`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return measure(label, healthy, startedAt);
  } finally {
    await runner.stop();
    for (const receiver of hanging) await receiver.close(); // lets hanging attempts fail fast
    await sharedWebhookDispatcher(db, logger).drain();
    for (const receiver of healthy) await receiver.close();
    await db.$disconnect();
  }
}

/** Runs and prints both parts; the exit code is 1 when BENCH_STRICT=1 and a target was missed. */
export async function runWebhooksBenchmark(): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), "ctrip-bench-webhooks-"));
  chmodSync(workDir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(workDir, "postgres"),
    port: await freePort(),
    database: "postgres",
    persistent: false,
  });
  try {
    const results = [
      await baseline(),
      await run("capacity: one healthy endpoint, all events at once", postgres.adminUrl, 1, 0, Infinity),
      await run(`one healthy endpoint at ${RATE}/s`, postgres.adminUrl, 1, 0, RATE),
      // Half the events per second, so the healthy endpoints together get the same 500 deliveries/s.
      await run(`2 healthy + 2 hanging endpoints at ${RATE / 2}/s`, postgres.adminUrl, 2, 2, RATE / 2),
    ];
    const row = (r: Result) =>
      `${r.label} | ${r.deliveries} in ${r.seconds} s | ${r.perSecond} | ${r.p50} | ${r.p99}`;
    process.stdout.write(
      `webhooks: ${EVENTS} events per run, embedded runner, loopback receivers\n` +
        "run | healthy deliveries | deliveries/s | p50 ms | p99 ms\n" +
        `${results.map(row).join("\n")}\n` +
        "targets: ≥ 500 deliveries/s, p99 ≤ 1000 ms for healthy endpoints\n",
    );
    const [, capacity, ...steady] = results as [Result, Result, ...Result[]];
    const { gateway, poller } = await detection(postgres.adminUrl);
    process.stdout.write(
      `\ndetection: ${PAYMENTS} USDC payments on Anvil (1 s blocks)\n` +
        "measure | payments | per second | p50 ms | p99 ms\n" +
        `${[poller, gateway].map(row).join("\n")}\n` +
        "targets: block → payment.detected webhook p50 ≤ 500 ms, p99 ≤ 1500 ms\n",
    );
    const met =
      capacity.perSecond >= 500 &&
      steady.every((result) => result.p99 <= 1_000) &&
      gateway.p50 <= 500 &&
      gateway.p99 <= 1_500;
    process.stdout.write(`webhooks targets: ${met ? "met" : "missed"}\n`);
    return !met && process.env.BENCH_STRICT === "1" ? 1 : 0;
  } finally {
    await postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exit(await runWebhooksBenchmark());
