// `npm run bench:api`: the API's hot routes on the production build (`npm start` → `next start`,
// embedded PostgreSQL, Anvil, in-process jobs, bench/stack.ts) under autocannon, each next to three
// floors measured in the same run:
// - the bare node:http baseline (one `INSERT … RETURNING` per request, pg.Pool of the app's size);
// - the bare Next.js route handler of the same build (/api/bench/next: JSON in, JSON out; GET and
//   POST), i.e. the framework's own cost;
// - the bare Next.js route doing the baseline's one INSERT through the app's pool (/api/bench/insert).
// Runs: baseline, the bare POST and POST + INSERT floors, POST /api/v1/payments (one merchant, then
// 50 merchants at once), the bare GET floor, GET /api/v1/payments/{id}, GET /api/v1/payments,
// GET /api/checkout/{id}, baseline again; the baseline ratio uses the mean of both baseline runs.
// Each floor runs right before the routes compared with it: the creates leave thousands of pending
// payments that the in-process jobs keep watching, and the GET floor is measured with them too.
//
// Any non-2xx answer or connection error fails the run (exit 1): a fast error is not a result.
// BENCH_STRICT=1 also fails it when a target is missed (off by default: shared machines are noisy).
//
// Env: BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (default 50), BENCH_WARMUP (seconds,
// default 2), BENCH_ROUNDS (repeat all runs and average, default 1), BENCH_ONLY (comma-separated run ids to keep, e.g. "next-post,create"), BENCH_STRICT,
// BENCH_KEEP_DATA=1, BENCH_GATEWAY_NODE_OPTIONS (NODE_OPTIONS for the gateway, e.g. a profiler).

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import {
  createBaselineTable,
  createBenchApiKeys,
  describeMachine,
  isStopping,
  onSignal,
  startBaselineServer,
  startGateway,
  stopEverything,
} from "./stack";

const thisFile = fileURLToPath(import.meta.url);
const REQUEST_BODY = JSON.stringify({ chain: "local", token: "USDC", amount: "12.5" });
const MERCHANTS = 50;

/** Targets of issue 22 (ratios within one run). */
export const TARGETS = { createVsNext: 0.5, createP99Ms: 150, readVsNext: 0.7 } as const;

export type Measurement = {
  id: string;
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
};

export type ApiBenchmarkResult = {
  runs: Measurement[];
  /** Mean req/s of the node:http baseline runs (before and after). */
  baselineRps: number;
  targets: { label: string; value: string; met: boolean }[];
  clean: boolean;
  machine: string;
};

type Settings = {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** The runs are repeated this many times in order and averaged (a loaded machine drifts). */
  rounds: number;
  only?: string[];
};

function settingsFromEnv(): Settings {
  const number = (name: string, fallback: number, min: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}`);
    return value;
  };
  const only = process.env.BENCH_ONLY?.split(",").filter(Boolean);
  return {
    durationSeconds: number("BENCH_DURATION", 10, 1),
    warmupSeconds: number("BENCH_WARMUP", 2, 0),
    connections: Math.round(number("BENCH_CONNECTIONS", 50, 1)),
    rounds: Math.round(number("BENCH_ROUNDS", 1, 1)),
    ...(only?.length ? { only } : {}),
  };
}

type Run = {
  id: string;
  label: string;
  url: string;
  method: "GET" | "POST";
  /** Headers of connection i (autocannon opens `connections` clients). */
  headers: (connection: number) => Record<string, string>;
  /** The floor this run is compared with: the bare Next route of the same method. */
  floor?: "next-post" | "next-get";
};

async function checkOnce(run: Run): Promise<void> {
  const response = await fetch(run.url, {
    method: run.method,
    headers: run.headers(0),
    ...(run.method === "POST" ? { body: REQUEST_BODY } : {}),
  });
  const text = await response.text();
  if (response.status >= 300)
    throw new Error(`${run.label}: expected 2xx before benchmarking, got ${response.status}: ${text}`);
}

async function load(run: Run, settings: Settings): Promise<Measurement> {
  if (isStopping()) throw new Error("interrupted: not starting another run");
  let next = 0;
  const options = {
    url: run.url,
    method: run.method,
    ...(run.method === "POST" ? { body: REQUEST_BODY } : {}),
    connections: settings.connections,
    // Each connection keeps its own headers (its merchant's key, its client address).
    setupClient: (client: { setHeaders(headers: Record<string, string>): void }) =>
      client.setHeaders(run.headers(next++ % settings.connections)),
  };
  if (settings.warmupSeconds > 0) await autocannon({ ...options, duration: settings.warmupSeconds });
  next = 0;
  console.log(`[bench] ${run.label}: ${settings.connections} connections for ${settings.durationSeconds} s…`);
  const result = await autocannon({ ...options, duration: settings.durationSeconds });
  return {
    id: run.id,
    label: run.label,
    requestsPerSecond: result.requests.average,
    // autocannon records latencies of 2xx answers only, in milliseconds.
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function createOnePayment(baseUrl: string, apiKey: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/payments`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: REQUEST_BODY,
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || !body.id) throw new Error(`creating a payment answered ${response.status}`);
  return body.id;
}

export async function runApiBenchmark(settings: Settings = settingsFromEnv()): Promise<ApiBenchmarkResult> {
  const machine = describeMachine();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    // The checkout is rate limited per client address: each connection gets its own, believed
    // from 127.0.0.1 (the load generator), so the run measures answers and not 429s.
    const gateway = await startGateway({ TRUSTED_PROXIES: "127.0.0.1" });
    // 50 merchants only when their run is selected (each costs a password hash and a seed derivation).
    const merchants = !settings.only || settings.only.includes("create-50") ? MERCHANTS : 1;
    const keys = await createBenchApiKeys(gateway.databaseUrl, merchants);
    const apiKey = keys[0] ?? "";
    await createBaselineTable(gateway.databaseUrl);
    const baselineUrl = await startBaselineServer(gateway.databaseUrl);
    const paymentId = await createOnePayment(gateway.baseUrl, apiKey);
    const json = { "content-type": "application/json" };
    const bearer = (key: string) => ({ ...json, authorization: `Bearer ${key}` });
    const oneKey = () => bearer(apiKey);
    const api = (path: string) => `${gateway.baseUrl}${path}`;
    const allRuns: Run[] = [
      {
        id: "baseline",
        label: "baseline node:http + INSERT (before)",
        url: `${baselineUrl}`,
        method: "POST",
        headers: oneKey,
      },
      {
        id: "next-post",
        label: "bare Next route POST",
        url: api("/api/bench/next"),
        method: "POST",
        headers: oneKey,
      },
      {
        id: "next-insert",
        label: "bare Next route + INSERT",
        url: api("/api/bench/insert"),
        method: "POST",
        headers: oneKey,
      },
      {
        id: "create",
        label: "POST /api/v1/payments",
        url: api("/api/v1/payments"),
        method: "POST",
        headers: oneKey,
        floor: "next-post",
      },
      {
        id: "create-50",
        label: `POST /api/v1/payments, ${MERCHANTS} merchants`,
        url: api("/api/v1/payments"),
        method: "POST",
        headers: (i) => bearer(keys[i % keys.length] ?? apiKey),
        floor: "next-post",
      },
      {
        id: "next-get",
        label: "bare Next route GET",
        url: api("/api/bench/next"),
        method: "GET",
        headers: oneKey,
      },
      {
        id: "get",
        label: "GET /api/v1/payments/{id}",
        url: api(`/api/v1/payments/${paymentId}`),
        method: "GET",
        headers: oneKey,
        floor: "next-get",
      },
      {
        id: "list",
        label: "GET /api/v1/payments",
        url: api("/api/v1/payments?limit=10"),
        method: "GET",
        headers: oneKey,
        floor: "next-get",
      },
      {
        id: "checkout",
        label: "GET /api/checkout/{id}",
        url: api(`/api/checkout/${paymentId}`),
        method: "GET",
        headers: (i) => ({ "x-forwarded-for": `198.51.100.${i + 1}` }),
        floor: "next-get",
      },
      {
        id: "baseline",
        label: "baseline node:http + INSERT (after)",
        url: `${baselineUrl}`,
        method: "POST",
        headers: oneKey,
      },
    ];
    const runs = allRuns.filter(
      (run) => !settings.only || run.id === "baseline" || settings.only.includes(run.id),
    );
    for (const run of runs) await checkOnce(run);

    const measured: Measurement[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      // Odd rounds run the runs between the two baselines in reverse order, so that a drift of the
      // machine or a run's after-effects (the pending payments a create run leaves to the in-process
      // watcher) weigh on both sides of each ratio alike.
      const order =
        round % 2 ? [...runs.slice(0, 1), ...runs.slice(1, -1).reverse(), ...runs.slice(-1)] : runs;
      for (const run of order) measured.push(await load(run, settings));
    }
    return summarise(averaged(measured), runs, machine);
  } finally {
    await stopEverything();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** One row per label: mean req/s, median p50/p99 of the rounds, counts summed. */
function averaged(measured: Measurement[]): Measurement[] {
  const labels = [...new Set(measured.map((run) => run.label))];
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return labels.map((label) => {
    const rounds = measured.filter((run) => run.label === label);
    const sum = (pick: (run: Measurement) => number) => rounds.reduce((total, run) => total + pick(run), 0);
    return {
      id: rounds[0]?.id ?? label,
      label,
      requestsPerSecond: sum((run) => run.requestsPerSecond) / rounds.length,
      p50Ms: median(rounds.map((run) => run.p50Ms)),
      p99Ms: median(rounds.map((run) => run.p99Ms)),
      ok: sum((run) => run.ok),
      non2xx: sum((run) => run.non2xx),
      errors: sum((run) => run.errors),
      timeouts: sum((run) => run.timeouts),
    };
  });
}

function summarise(measured: Measurement[], runs: Run[], machine: string): ApiBenchmarkResult {
  const rps = (id: string) => measured.find((run) => run.id === id)?.requestsPerSecond ?? Number.NaN;
  const baselines = measured.filter((run) => run.id === "baseline");
  const baselineRps = baselines.reduce((sum, run) => sum + run.requestsPerSecond, 0) / baselines.length;
  const targets: ApiBenchmarkResult["targets"] = [];
  const create = measured.find((run) => run.id === "create");
  if (create) {
    const ratio = create.requestsPerSecond / rps("next-post");
    targets.push({
      label: "create / bare Next POST",
      value: ratio.toFixed(3),
      met: ratio >= TARGETS.createVsNext,
    });
    targets.push({
      label: "create p99 ms",
      value: String(create.p99Ms),
      met: create.p99Ms <= TARGETS.createP99Ms,
    });
    const many = rps("create-50");
    if (!Number.isNaN(many))
      targets.push({
        label: `one merchant / ${MERCHANTS} merchants (create req/s)`,
        value: (create.requestsPerSecond / many).toFixed(3),
        // "not slower": within the noise of one run (5 %).
        met: create.requestsPerSecond >= 0.95 * many,
      });
  }
  for (const id of ["get", "checkout"]) {
    const run = runs.find((candidate) => candidate.id === id);
    if (!run?.floor) continue;
    const ratio = rps(id) / rps(run.floor);
    if (!Number.isNaN(ratio))
      targets.push({
        label: `${run.label} / bare Next GET`,
        value: ratio.toFixed(3),
        met: ratio >= TARGETS.readVsNext,
      });
  }
  return {
    runs: measured,
    baselineRps,
    targets,
    clean: measured.every((run) => run.non2xx === 0 && run.errors === 0 && run.ok > 0),
    machine,
  };
}

export function printApiBenchmark(result: ApiBenchmarkResult, settings: Settings = settingsFromEnv()): void {
  const rps = (id: string) => result.runs.find((run) => run.id === id)?.requestsPerSecond;
  const ratio = (value: number, floor: number | undefined) =>
    floor === undefined || !(floor > 0) ? "—" : (value / floor).toFixed(3);
  const columns = [
    "run",
    "req/s",
    "p50 ms",
    "p99 ms",
    "2xx",
    "non-2xx",
    "errors",
    "× node:http",
    "× Next",
    "× Next+INSERT",
  ];
  const cells = result.runs.map((row) => [
    row.label,
    row.requestsPerSecond.toFixed(1),
    String(row.p50Ms),
    String(row.p99Ms),
    String(row.ok),
    String(row.non2xx),
    row.errors + row.timeouts > 0 ? `${row.errors} (${row.timeouts} timeouts)` : String(row.errors),
    ratio(row.requestsPerSecond, result.baselineRps),
    // GETs against the bare GET, everything else against the bare POST.
    ratio(
      row.requestsPerSecond,
      /^(GET|bare Next route GET)/.test(row.label) ? rps("next-get") : rps("next-post"),
    ),
    ratio(row.requestsPerSecond, rps("next-insert")),
  ]);
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((cell) => cell[i]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === 0 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log("");
  console.log(
    `${settings.connections} connections, ${settings.durationSeconds} s per run (after ${settings.warmupSeconds} s warm-up), ${settings.rounds} round(s) averaged`,
  );
  console.log(`machine: ${result.machine}`);
  console.log(line(columns));
  console.log(line(columns.map((_, i) => "-".repeat(widths[i] ?? 0))));
  for (const cell of cells) console.log(line(cell));
  console.log("");
  for (const target of result.targets)
    console.log(`${target.label}: ${target.value}  (${target.met ? "met" : "MISSED"})`);
  if (!result.clean) console.log("FAILED: non-2xx answers or connection errors (see the table above)");
}

/** Exit code of a run: 1 on errors; on missed targets only with BENCH_STRICT=1. */
export function apiBenchmarkExitCode(result: ApiBenchmarkResult): number {
  if (!result.clean) return 1;
  const targetsMet = result.targets.every((target) => target.met);
  return !targetsMet && process.env.BENCH_STRICT === "1" ? 1 : 0;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === thisFile;
if (isMain) {
  const settings = settingsFromEnv();
  runApiBenchmark(settings).then(
    (result) => {
      printApiBenchmark(result, settings);
      process.exit(apiBenchmarkExitCode(result));
    },
    (error: unknown) => {
      console.error("[bench] failed:", error);
      process.exit(1);
    },
  );
}
