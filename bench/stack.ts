// The processes every HTTP benchmark starts (bench/api.ts, bench/load.ts): the gateway under test
// (`npm start`: production build, embedded PostgreSQL, Anvil, in-process jobs) in its own process
// group, and the bare node:http baseline (one `INSERT … RETURNING` per request through a pg.Pool of
// the app's default size) in a child process, both stopped on every exit path (Ctrl-C included).
// The per-key rate limit is raised to 1e9 for the gateway (a benchmark must not measure 429s), and
// the benchmark's floor routes (/api/bench/*, lib/http/bench-routes.ts) are enabled.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "../lib/api-keys/create-api-key";
import { createDb } from "../lib/db/client";
import { createMerchant } from "../lib/merchants/create-merchant";
import { freePort } from "../lib/runtime/free-port";

const root = resolve(import.meta.dirname, "..");
const thisFile = fileURLToPath(import.meta.url);
const dataDir = join(root, ".tmp", "bench-data");
const serverLog = join(root, ".tmp", "bench-server.log");

/** Same size as the app's pool (createDb's default in lib/db/client.ts). */
const BASELINE_POOL_SIZE = 10;
export const BASELINE_PATH = "/baseline/payments";
/** USDC on the local chain has 6 decimals; the baseline stores base units like the app does. */
const BASELINE_DECIMALS = 6;

// ---------------------------------------------------------------------------------------------
// Processes we start, stopped on every exit path (including Ctrl-C), then the data directory removed.

type Stoppable = { name: string; stop(): Promise<void> };
const running: Stoppable[] = [];
let stopping: Promise<void> | undefined;

/** True once stopping has begun (Ctrl-C): no new run may start. */
export function isStopping(): boolean {
  return stopping !== undefined;
}

export function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    for (const process of running.reverse()) {
      try {
        await process.stop();
      } catch (error) {
        console.error(`[bench] ${process.name} did not stop cleanly:`, error);
      }
    }
    running.length = 0;
    if (process.env.BENCH_KEEP_DATA !== "1") rmSync(dataDir, { recursive: true, force: true });
  })();
  return stopping;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group (npm, tsx, start.ts, Next, Postgres, Anvil), SIGKILL after 30 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return;
  process.kill(-pgid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(200);
  if (groupAlive(pgid)) {
    console.error("[bench] the gateway did not stop within 30 s: SIGKILL");
    process.kill(-pgid, "SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------
// The gateway under test.

export type Gateway = {
  baseUrl: string;
  databaseUrl: string;
  /** The gateway's Anvil devnet. */
  anvilRpcUrl: string;
  /** Process group of the gateway (npm, Next, jobs, PostgreSQL, Anvil). */
  pgid: number;
};

export async function startGateway(extraEnv: Record<string, string> = {}): Promise<Gateway> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const [port, anvilPort, postgresPort] = [await freePort(), await freePort(), await freePort()];
  const log = openSync(serverLog, "w");
  console.log(`[bench] starting the gateway (npm start) on 127.0.0.1:${port}; its output: ${serverLog}`);
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true, // its own process group, so stopping reaches Next, Postgres and Anvil too
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      ANVIL_PORT: String(anvilPort),
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      CTRIP_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      API_RATE_LIMIT_PER_SECOND: "1000000000",
      API_RATE_LIMIT_BURST: "1000000000",
      CTRIP_BENCH_ROUTES: "1",
      ...extraEnv,
      // For profiling, e.g. "--cpu-prof --cpu-prof-dir=.tmp/bench-prof" (reaches every Node process of the gateway).
      ...(process.env.BENCH_GATEWAY_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS }
        : {}),
    },
  });
  running.push({ name: "gateway", stop: () => stopGroup(child) });
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10 * 60_000; // includes a `next build` when sources changed
  for (;;) {
    if (exited) throw new Error(`the gateway exited during start-up (${exited}):\n${tail(serverLog, 40)}`);
    if (Date.now() > deadline) throw new Error(`the gateway did not become healthy:\n${tail(serverLog, 40)}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  const runtime = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")) as {
    databaseUrl?: unknown;
  };
  if (typeof runtime.databaseUrl !== "string") throw new Error("runtime.json has no databaseUrl");
  console.log("[bench] gateway healthy");
  return {
    baseUrl,
    databaseUrl: runtime.databaseUrl,
    anvilRpcUrl: `http://127.0.0.1:${anvilPort}`,
    pgid: child.pid ?? 0,
  };
}

function tail(path: string, lines: number): string {
  if (!existsSync(path)) return "(no output)";
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** `count` merchants with one API key each (the first is the one of createBenchApiKey). */
export async function createBenchApiKeys(databaseUrl: string, count: number): Promise<string[]> {
  const db = createDb(databaseUrl, { maxConnections: 2 });
  try {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const merchant = await createMerchant(db, {
        name: `Benchmark merchant ${i + 1}`,
        email: `bench-${Date.now()}-${i}@example.test`,
        password: "benchmark-password-not-secret",
      });
      const { apiKey } = await createApiKey(
        { db: db, actor: OPERATOR },
        { merchantId: merchant.merchantId, name: "benchmark" },
      );
      keys.push(apiKey);
    }
    return keys;
  } finally {
    await db.$disconnect();
  }
}

export async function createBenchApiKey(databaseUrl: string): Promise<string> {
  const [apiKey] = await createBenchApiKeys(databaseUrl, 1);
  if (!apiKey) throw new Error("no API key created");
  return apiKey;
}

// ---------------------------------------------------------------------------------------------
// The baseline: a bare node:http server, one INSERT … RETURNING per request. It runs in a child
// process (like the app) so it does not share an event loop with autocannon.

export async function createBaselineTable(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS bench_baseline (
      id bigserial PRIMARY KEY,
      chain text NOT NULL,
      token text,
      amount numeric(78, 0) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  } finally {
    await client.end();
  }
}

export async function startBaselineServer(databaseUrl: string): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [...process.execArgv, thisFile, "--baseline-server"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_BASELINE_PORT: String(port) },
  });
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  running.push({
    name: "baseline server",
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  });
  await new Promise<void>((resolveReady, reject) => {
    child.once("message", () => resolveReady());
    child.once("exit", (code) => reject(new Error(`the baseline server exited (code ${code})`)));
  });
  return `http://127.0.0.1:${port}${BASELINE_PATH}`;
}

function serveBaseline(): void {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const port = Number(process.env.BENCH_BASELINE_PORT);
  if (!databaseUrl || !port) throw new Error("BENCH_DATABASE_URL and BENCH_BASELINE_PORT are required");
  const pool = new pg.Pool({ connectionString: databaseUrl, max: BASELINE_POOL_SIZE });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== "POST" || request.url !== BASELINE_PATH) {
      response.writeHead(404).end();
      return;
    }
    let body: { chain?: unknown; token?: unknown; amount?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      response.writeHead(400).end();
      return;
    }
    const amount = typeof body.amount === "string" ? toBaseUnits(body.amount, BASELINE_DECIMALS) : null;
    if (typeof body.chain !== "string" || amount === null) {
      response.writeHead(422).end();
      return;
    }
    const token = typeof body.token === "string" ? body.token : null;
    const { rows } = await pool.query<{ id: string }>(
      "INSERT INTO bench_baseline (chain, token, amount) VALUES ($1, $2, $3) RETURNING id",
      [body.chain, token, amount.toString()],
    );
    response.writeHead(201, { "content-type": "application/json" });
    response.end(JSON.stringify({ id: rows[0]?.id, chain: body.chain, token, amount: amount.toString() }));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error("[baseline]", error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, "127.0.0.1", () => process.send?.("ready"));
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    pool.end().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

function toBaseUnits(amount: string, decimals: number): bigint | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return null;
  return BigInt(`${match[1]}${fraction.padEnd(decimals, "0")}`);
}

// ---------------------------------------------------------------------------------------------

/** Ctrl-C / SIGTERM while running: stop what we started, then exit. */
export function onSignal(signal: NodeJS.Signals): void {
  console.error(`[bench] ${signal}: stopping…`);
  stopEverything().then(
    () => process.exit(130),
    () => process.exit(130),
  );
}

export function describeMachine(): string {
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(0);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  return `${availableParallelism()} × ${model}, ${memoryGiB} GiB RAM, Node ${process.version}, load average ${load} at start`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === thisFile;
if (isMain && process.argv.includes("--baseline-server")) serveBaseline();
