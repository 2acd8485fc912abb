// `npm run bench:webhooks`: webhook delivery throughput and latency with the embedded runner's
// webhook job (lib/jobs/jobs.ts → lib/webhooks/webhook-dispatcher.ts) on a real embedded PostgreSQL,
// to real HTTP receivers on loopback. Events are inserted at a steady rate (the trigger fans them
// out to deliveries); latency is event created_at → the receiver getting the request.
//
// Run 1: BENCH_EVENTS (default 5000) events to one healthy endpoint.
// Run 2: the same number of events to 4 endpoints of which 2 hang (never answer, 10 s timeout): the
//        healthy endpoints' figures must not degrade.
// The block → `payment.detected` figure needs the chain watcher (another branch) and is not measured.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { databaseUrlFor, withAdmin } from "../lib/db/admin";
import { createDb, type Db } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { startEmbeddedRunner } from "../lib/jobs/embedded-runner";
import { webhookDeliveryJob } from "../lib/jobs/jobs";
import { createLogger } from "../lib/logger";
import { createMerchant } from "../lib/merchants/create-merchant";
import { startEmbeddedPostgres } from "../lib/runtime/embedded-postgres";
import { freePort } from "../lib/runtime/free-port";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/testing/webhook-receiver";
import { createWebhookEndpoint } from "../lib/webhooks/create-webhook-endpoint";
import { webhookDeps } from "../lib/webhooks/webhook-deps";
import { sharedWebhookDispatcher } from "../lib/webhooks/webhook-dispatcher";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 1000);
const BATCH = 50;
const logger = createLogger({}, { level: "error" });

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

async function insertEvents(db: Db, merchantId: string): Promise<void> {
  const started = Date.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    const count = Math.min(BATCH, EVENTS - sent);
    // One statement per batch; the AFTER INSERT trigger creates the deliveries.
    await db.$executeRaw`
      INSERT INTO events (id, merchant_id, type, object_id, data, created_at)
      SELECT ctrip_new_id('evt'), ${merchantId}, 'payment.detected', 'pay_bench', '{"id":"pay_bench"}'::jsonb, clock_timestamp()
      FROM generate_series(1, ${count})`;
    const due = started + ((sent + count) / RATE) * 1000;
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
  latencies.sort((a, b) => a - b);
  const seconds = (last - startedAt) / 1000;
  return {
    label,
    deliveries: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(latencies.length / seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function run(
  label: string,
  adminUrl: string,
  healthyCount: number,
  hangingCount: number,
): Promise<Result> {
  const name = `bench_${label.replace(/\W/g, "_")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrlFor(adminUrl, name);
  await migrateDatabase(url);
  const db = createDb(url);
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
    await createWebhookEndpoint(webhookDeps(db, logger), merchantId, { url: receiver.url });
  const runner = startEmbeddedRunner({
    jobs: [webhookDeliveryJob],
    context: { db, chains: [], logger },
    logger,
  });
  const startedAt = Date.now();
  try {
    await insertEvents(db, merchantId);
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

async function main() {
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
      await run("one healthy endpoint", postgres.adminUrl, 1, 0),
      await run("2 healthy + 2 hanging endpoints", postgres.adminUrl, 2, 2),
    ];
    process.stdout.write(
      `webhooks: ${EVENTS} events at ~${RATE}/s, embedded runner, loopback receivers\n` +
        "run | healthy deliveries | deliveries/s | p50 ms | p99 ms\n" +
        results
          .map((r) => `${r.label} | ${r.deliveries} in ${r.seconds} s | ${r.perSecond} | ${r.p50} | ${r.p99}`)
          .join("\n") +
        "\n",
    );
  } finally {
    await postgres.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
