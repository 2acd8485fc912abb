// `npm run bench:load`: mixed traffic at a steady rate on the embedded stack (`npm start`: the
// production build, embedded PostgreSQL, Anvil, in-process jobs) for 10 minutes by default:
// payment creation (native and USDC), reads, lists, events, the public checkout status, payments
// being paid on Anvil (in full, a share of those created) and their webhooks delivered to a local
// receiver. Beside it, in the same run and at the same share of the rate, the bare baseline server
// of bench/api.ts (one INSERT … RETURNING per request on the same PostgreSQL).
//
// Prints throughput, p50/p99 per endpoint, the error rate (target: 0 answers ≥ 500 and 0 connection
// errors; 4xx are counted apart), the gateway's RSS after warm-up (target: the last minute within
// 10 % of the first minute after warm-up), watcher lag (head − last scanned block, sampled) and
// payment → webhook figures. Exit code 1 on any 5xx or connection error (and, with BENCH_STRICT=1,
// on RSS growth over 10 %).
//
// Env: BENCH_LOAD_DURATION (seconds, default 600), BENCH_LOAD_RATE (requests/s, default 25),
// BENCH_LOAD_WARMUP (seconds, default 30), BENCH_LOAD_PAY_SHARE (share of created payments paid,
// default 0.5), BENCH_LOAD_SEED, BENCH_STRICT, BENCH_KEEP_DATA.
import { readdirSync, readFileSync } from "node:fs";
import { type Address, createPublicClient, createWalletClient, erc20Abi, http } from "viem";
import { createDb } from "../lib/db/client";
import { MOCK_USDC_ADDRESS } from "../lib/devnet/mock-usdc";
import { anvilDefaultAccounts } from "../lib/devnet/setup-devnet";
import { prng } from "../lib/testing/prng";
import { startWebhookReceiver } from "../lib/testing/webhook-receiver";
import {
  createBaselineTable,
  createBenchApiKey,
  describeMachine,
  onSignal,
  sleep,
  startBaselineServer,
  startGateway,
  stopEverything,
} from "./stack";

type Settings = { durationS: number; rate: number; warmupS: number; payShare: number; seed: number };

function settingsFromEnv(): Settings {
  const number = (name: string, fallback: number, min: number) => {
    const raw = process.env[name];
    const value = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}`);
    return value;
  };
  return {
    durationS: number("BENCH_LOAD_DURATION", 600, 10),
    rate: number("BENCH_LOAD_RATE", 25, 1),
    warmupS: number("BENCH_LOAD_WARMUP", 30, 0),
    payShare: number("BENCH_LOAD_PAY_SHARE", 0.5, 0),
    seed: number("BENCH_LOAD_SEED", Date.now() % 2 ** 31, 0),
  };
}

type Sample = { ms: number; status: number };
const samples = new Map<string, Sample[]>();

function record(endpoint: string, sample: Sample) {
  const list = samples.get(endpoint) ?? [];
  list.push(sample);
  samples.set(endpoint, list);
}

/** One request, timed to the end of its body; null on a connection error or timeout. */
async function timed(
  endpoint: string,
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: string } | null> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    const body = await response.text();
    record(endpoint, { ms: performance.now() - started, status: response.status });
    return { status: response.status, body };
  } catch {
    record(endpoint, { ms: performance.now() - started, status: 0 });
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * RSS (MiB) of the gateway's Node processes: every `node` of its process group (not Postgres or
 * Anvil), in all and per process (`name pid`).
 */
function gatewayRss(pgid: number): { mib: number; processes: Record<string, number> } {
  const processes: Record<string, number> = {};
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(afterName[2]) !== pgid || !/node|next/.test(name)) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      processes[`${name} ${entry}`] = Number(rss?.[1] ?? 0) / 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return { mib: Object.values(processes).reduce((sum, mib) => sum + mib, 0), processes };
}

async function run(settings: Settings) {
  const machine = describeMachine();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const gateway = await startGateway({ LOG_LEVEL: "warn" });
    const apiKey = await createBenchApiKey(gateway.databaseUrl);
    await createBaselineTable(gateway.databaseUrl);
    const baselineUrl = await startBaselineServer(gateway.databaseUrl);
    const headers = { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
    const api = `${gateway.baseUrl}/api/v1`;

    // Webhooks of every event to a local receiver (the gateway's in-process dispatcher sends them).
    const receiver = await startWebhookReceiver();
    const endpoint = await fetch(`${api}/webhook-endpoints`, {
      method: "POST",
      headers,
      body: JSON.stringify({ url: receiver.url }),
    });
    if (endpoint.status !== 201)
      throw new Error(`webhook endpoint: ${endpoint.status} ${await endpoint.text()}`);

    const transport = http(gateway.anvilRpcUrl);
    const chainClient = createPublicClient({ transport });
    const payer = anvilDefaultAccounts(2)[1] as Address;
    const wallet = createWalletClient({ transport, account: payer });
    const db = createDb(gateway.databaseUrl, { maxConnections: 2 });

    const random = prng(settings.seed);
    const payments: { id: string; address: Address; native: boolean; units: bigint }[] = [];
    const paid = new Map<string, number>();
    const payQueue: (typeof payments)[number][] = [];
    let inFlight = 0;
    let skipped = 0;

    const operations: [string, number, () => Promise<unknown>][] = [
      [
        "POST /api/v1/payments",
        0.25,
        async () => {
          const native = random() < 0.5;
          const amount = native
            ? `0.00${1 + Math.floor(random() * 9)}`
            : `${1 + Math.floor(random() * 99)}.25`;
          const response = await timed("POST /api/v1/payments", `${api}/payments`, {
            method: "POST",
            headers,
            body: JSON.stringify({ chain: "local", token: native ? undefined : "USDC", amount }),
          });
          if (response?.status !== 201) return;
          const payment = JSON.parse(response.body) as {
            id: string;
            address: Address;
            amount_base_units: string;
          };
          const entry = {
            id: payment.id,
            address: payment.address,
            native,
            units: BigInt(payment.amount_base_units),
          };
          payments.push(entry);
          if (random() < settings.payShare) payQueue.push(entry);
        },
      ],
      [
        "GET /api/v1/payments/{id}",
        0.25,
        async () => {
          const payment = payments[Math.floor(random() * payments.length)];
          if (payment) await timed("GET /api/v1/payments/{id}", `${api}/payments/${payment.id}`, { headers });
        },
      ],
      [
        "GET /api/v1/payments",
        0.15,
        () => timed("GET /api/v1/payments", `${api}/payments?limit=20`, { headers }),
      ],
      ["GET /api/v1/events", 0.1, () => timed("GET /api/v1/events", `${api}/events?limit=20`, { headers })],
      [
        "GET /api/checkout/{id}",
        0.1,
        async () => {
          const payment = payments[Math.floor(random() * payments.length)];
          if (payment)
            await timed("GET /api/checkout/{id}", `${gateway.baseUrl}/api/checkout/${payment.id}`, {});
        },
      ],
      [
        "baseline POST (bare node:http + INSERT)",
        0.15,
        () =>
          timed("baseline POST (bare node:http + INSERT)", baselineUrl, {
            method: "POST",
            headers,
            body: JSON.stringify({ chain: "local", token: "USDC", amount: "12.5" }),
          }),
      ],
    ];
    const pick = () => {
      let roll = random();
      for (const operation of operations) {
        roll -= operation[1];
        if (roll < 0) return operation;
      }
      return operations[0] as (typeof operations)[number];
    };

    // The payer: one transaction at a time, in order (its nonce), as fast as the chain takes them.
    let stop = false;
    const payerLoop = (async () => {
      while (!stop) {
        const payment = payQueue.shift();
        if (!payment) {
          await sleep(100);
          continue;
        }
        try {
          const hash = payment.native
            ? await wallet.sendTransaction({ chain: null, to: payment.address, value: payment.units })
            : await wallet.writeContract({
                chain: null,
                address: MOCK_USDC_ADDRESS,
                abi: erc20Abi,
                functionName: "transfer",
                args: [payment.address, payment.units],
              });
          paid.set(payment.id, Date.now());
          void hash;
        } catch (error) {
          console.error("[bench] payment transaction failed:", error);
        }
      }
    })();

    // Samplers, every 5 s: RSS of the gateway's Node processes, the web server's V8 heap (its
    // /api/metrics) and the watcher lag (blocks).
    const rss: { t: number; mib: number; processes: Record<string, number> }[] = [];
    const heap: { t: number; mib: number; committedMib: number }[] = [];
    const lag: number[] = [];
    const samplers = setInterval(async () => {
      rss.push({ t: Date.now(), ...gatewayRss(gateway.pgid) });
      try {
        const metrics = await (await fetch(`${gateway.baseUrl}/api/metrics`)).text();
        const used = /^nodejs_heap_size_used_bytes (\d+)$/m.exec(metrics)?.[1];
        const total = /^nodejs_heap_size_total_bytes (\d+)$/m.exec(metrics)?.[1];
        if (used && total)
          heap.push({ t: Date.now(), mib: Number(used) / 2 ** 20, committedMib: Number(total) / 2 ** 20 });
      } catch {
        // sampled again in 5 s
      }
      try {
        const head = await chainClient.getBlockNumber({ cacheTime: 0 });
        const cursor = await db.chainCursor.findUnique({ where: { chain: "local" } });
        if (cursor?.lastScannedBlock !== null && cursor?.lastScannedBlock !== undefined)
          lag.push(Number(head - cursor.lastScannedBlock));
      } catch {
        // sampled again in 5 s
      }
    }, 5_000);

    console.log(
      `[bench] load: ${settings.rate} requests/s for ${settings.durationS} s (warm-up ${settings.warmupS} s), seed ${settings.seed}`,
    );
    const started = Date.now();
    const warmEnd = started + settings.warmupS * 1000;
    const end = started + settings.durationS * 1000;
    const interval = 1000 / settings.rate;
    let next = started;
    let lastReport = started;
    while (Date.now() < end) {
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      if (inFlight >= 256) {
        skipped++;
        continue;
      }
      const [, , call] = pick();
      inFlight++;
      void call()
        .catch((error: unknown) => console.error("[bench] request failed:", error))
        .finally(() => {
          inFlight--;
        });
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        const errors = [...samples.values()].flat().filter((s) => s.status === 0 || s.status >= 500).length;
        console.log(
          `[bench] ${Math.round((Date.now() - started) / 1000)} s: ${[...samples.values()].flat().length} requests, ${errors} errors, ${payments.length} payments, ${paid.size} paid, ${receiver.received.length} webhooks, RSS ${rss.at(-1)?.mib.toFixed(0)} MiB`,
        );
      }
    }
    const elapsedS = (Date.now() - started) / 1000;
    while (inFlight > 0) await sleep(50);
    stop = true;
    await payerLoop;
    // Let the watcher confirm what was paid and the webhooks go out (up to 60 s).
    const paidIds = [...paid.keys()];
    const settleDeadline = Date.now() + 60_000;
    let confirmed = 0;
    while (Date.now() < settleDeadline) {
      confirmed = await db.payment.count({
        where: { id: { in: paidIds }, status: { in: ["confirmed", "settled"] } },
      });
      if (confirmed === paidIds.length) break;
      await sleep(1_000);
    }
    clearInterval(samplers);
    const events = await db.event.count();
    const deliveries = await db.webhookDelivery.groupBy({ by: ["status"], _count: true });
    const detectionMs = await detectionLatencies(db, paid);
    await db.$disconnect();

    return {
      machine,
      settings,
      elapsedS,
      warmEnd,
      skipped,
      rss,
      heap,
      lag,
      payments: payments.length,
      paid: paidIds.length,
      confirmed,
      events,
      deliveries,
      webhooksReceived: receiver.received.length,
      detectionMs,
    };
  } finally {
    await stopEverything();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Transaction sent → payment.detected event recorded, per paid payment (ms). */
async function detectionLatencies(db: ReturnType<typeof createDb>, paid: Map<string, number>) {
  const events = await db.event.findMany({
    where: { type: "payment.detected", objectId: { in: [...paid.keys()] } },
    select: { objectId: true, createdAt: true },
  });
  return events
    .map((event) => event.createdAt.getTime() - (paid.get(event.objectId) ?? event.createdAt.getTime()))
    .sort((a, b) => a - b);
}

function print(result: Awaited<ReturnType<typeof run>>) {
  const { settings } = result;
  console.log("");
  console.log(
    `bench:load — ${settings.rate} requests/s for ${result.elapsedS.toFixed(0)} s (warm-up ${settings.warmupS} s), seed ${settings.seed}`,
  );
  console.log(`machine: ${result.machine}`);
  const rows = [...samples.entries()].map(([endpoint, list]) => {
    const ms = list
      .filter((s) => s.status > 0 && s.status < 400)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    return {
      endpoint,
      count: list.length,
      perSecond: list.length / result.elapsedS,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      ok: list.filter((s) => s.status >= 200 && s.status < 400).length,
      client: list.filter((s) => s.status >= 400 && s.status < 500).length,
      server: list.filter((s) => s.status >= 500).length,
      network: list.filter((s) => s.status === 0).length,
    };
  });
  const header = ["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "2xx/3xx", "4xx", "5xx", "conn err"];
  const cells = rows.map((r) => [
    r.endpoint,
    String(r.count),
    r.perSecond.toFixed(2),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    String(r.ok),
    String(r.client),
    String(r.server),
    String(r.network),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join("  ");
  console.log(line(header));
  for (const cell of cells) console.log(line(cell));
  const app = rows.filter((r) => !r.endpoint.startsWith("baseline"));
  const total = app.reduce((sum, r) => sum + r.count, 0);
  const serverErrors = app.reduce((sum, r) => sum + r.server + r.network, 0);
  console.log("");
  console.log(
    `gateway throughput: ${(total / result.elapsedS).toFixed(2)} requests/s; errors (5xx + connection): ${serverErrors} of ${total} (${((100 * serverErrors) / Math.max(1, total)).toFixed(3)} %, target 0); 4xx: ${app.reduce((s, r) => s + r.client, 0)}; requests not sent (256 in flight): ${result.skipped}`,
  );
  const rss = firstAndLastMinute(result.rss, result.warmEnd, mean);
  const growth = rss.growth;
  console.log(
    `gateway RSS (Node processes): first minute after warm-up ${rss.first.toFixed(0)} MiB, last minute ${rss.last.toFixed(0)} MiB, growth ${(100 * growth).toFixed(1)} % (target within 10 %); peak ${Math.max(...result.rss.map((s) => s.mib)).toFixed(0)} MiB`,
  );
  const names = [...new Set(result.rss.flatMap((sample) => Object.keys(sample.processes)))];
  const perProcess = names.map((name) => {
    const figures = firstAndLastMinute(
      result.rss.map((sample) => ({ t: sample.t, mib: sample.processes[name] ?? 0 })),
      result.warmEnd,
      mean,
    );
    return `${name} ${figures.first.toFixed(0)} → ${figures.last.toFixed(0)} MiB`;
  });
  console.log(`  per process: ${perProcess.join("; ")}`);
  // The heap's lower envelope (the minimum of a minute's samples) is what survives garbage
  // collection: it grows with a leak, not with garbage waiting for the next major GC.
  const heap = firstAndLastMinute(result.heap, result.warmEnd, (list) => Math.min(...list.map((s) => s.mib)));
  console.log(
    `web server V8 heap used (lowest sample of the minute): first minute after warm-up ${heap.first.toFixed(0)} MiB, last minute ${heap.last.toFixed(0)} MiB, growth ${(100 * heap.growth).toFixed(1)} %; peak ${Math.max(...result.heap.map((s) => s.mib)).toFixed(0)} MiB`,
  );
  const committed = firstAndLastMinute(
    result.heap.map((sample) => ({ t: sample.t, mib: sample.committedMib })),
    result.warmEnd,
    mean,
  );
  console.log(
    `web server V8 heap committed (NODE_HEAP_GROWTH_PERCENT ${process.env.NODE_HEAP_GROWTH_PERCENT || "30, the default"}, NODE_SEMI_SPACE_MB ${process.env.NODE_SEMI_SPACE_MB || "32, the default"}): first minute after warm-up ${committed.first.toFixed(0)} MiB, last minute ${committed.last.toFixed(0)} MiB; range ${Math.min(...result.heap.map((s) => s.committedMib)).toFixed(0)}–${Math.max(...result.heap.map((s) => s.committedMib)).toFixed(0)} MiB`,
  );
  const lag = [...result.lag].sort((a, b) => a - b);
  const detection = result.detectionMs;
  console.log(
    `watcher lag (head − last scanned block, every 5 s): p50 ${percentile(lag, 50)}, p99 ${percentile(lag, 99)}, max ${lag.at(-1)} blocks (1 s blocks)`,
  );
  console.log(
    `payments: ${result.payments} created, ${result.paid} paid on Anvil, ${result.confirmed} confirmed at the end; transaction sent → payment.detected p50 ${percentile(detection, 50)} ms, p99 ${percentile(detection, 99)} ms`,
  );
  const deliveryCounts = result.deliveries.map((d) => `${d.status} ${d._count}`).join(", ");
  console.log(
    `webhooks: ${result.events} events, deliveries ${deliveryCounts}; ${result.webhooksReceived} requests received`,
  );
  return { serverErrors, growth };
}

function mean(list: { mib: number }[]): number {
  return list.reduce((sum, s) => sum + s.mib, 0) / Math.max(1, list.length);
}

/** A figure of the first and of the last minute after warm-up, and the growth between them. */
function firstAndLastMinute(
  samples: { t: number; mib: number }[],
  warmEnd: number,
  summarize: (list: { mib: number }[]) => number,
) {
  const afterWarm = samples.filter((s) => s.t >= warmEnd);
  const minute = 60_000;
  const first = summarize(afterWarm.filter((s) => s.t < (afterWarm[0]?.t ?? 0) + minute));
  const last = summarize(afterWarm.filter((s) => s.t > (afterWarm.at(-1)?.t ?? 0) - minute));
  return { first, last, growth: first > 0 ? (last - first) / first : 0 };
}

// An error escaping a request callback must not leave the gateway and the baseline server running.
process.on("uncaughtException", (error) => {
  console.error("[bench] failed:", error);
  void stopEverything().finally(() => process.exit(1));
});

const settings = settingsFromEnv();
run(settings).then(
  (result) => {
    const { serverErrors, growth } = print(result);
    const failed = serverErrors > 0 || (process.env.BENCH_STRICT === "1" && growth > 0.1);
    process.exit(failed ? 1 : 0);
  },
  (error: unknown) => {
    console.error("[bench] failed:", error);
    process.exit(1);
  },
);
