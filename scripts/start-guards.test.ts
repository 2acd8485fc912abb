// The real `npm start` entry (scripts/start.ts) with a chains file holding a real chain: each
// development allowance is refused with a clear line and a non-zero exit — without DATABASE_URL
// too (it used to switch every guard off) — before PostgreSQL, Anvil or Next start and before the
// chain's RPC is contacted. `next start` launched directly refuses through instrumentation.ts.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { freePort } from "../lib/runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../lib/testing/database";
import { writeRealChainsFile } from "../lib/testing/real-chains-file";
import { seedFingerprint } from "../lib/wallet/seed-fingerprint";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
const PROPER = {
  WALLET_MNEMONIC: "legal winner thank year wave sausage worth useful legal winner thank yellow",
  APP_SECRET: "k3Jx9-random-secret-of-more-than-32-characters",
  METRICS_TOKEN: "metrics-token-0123456789",
};

let workDir: string;
let chainsFile: string;
/** Stands in for the real chain's RPC: any connection to it would mean the guard came too late. */
let rpc: Server;
let rpcConnections = 0;
beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "ctrip-guards-"));
  rpc = createServer((socket) => {
    rpcConnections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolveListen) => rpc.listen(0, "127.0.0.1", resolveListen));
  const address = rpc.address();
  const port = typeof address === "object" && address ? address.port : 0;
  // Chain 8453 (Base) is no devnet whatever its RPC URL: the guards are on.
  chainsFile = writeRealChainsFile(workDir, { rpcUrl: `https://127.0.0.1:${port}` });
});
afterAll(async () => {
  await new Promise((resolveClose) => rpc.close(resolveClose));
  rmSync(workDir, { recursive: true, force: true });
});

/** `npm start` as package.json runs it, on a fresh data dir, with the given variables only. */
async function start(env: Record<string, string>, dataDir = mkdtempSync(join(workDir, "data-"))) {
  const { DATABASE_URL: _db, INNGEST_DEV: _dev, INNGEST_SIGNING_KEY: _key, ...inherited } = process.env;
  const outcome = await run(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    timeout: 60_000,
    env: { ...inherited, CHAINS_FILE: chainsFile, CTRIP_DATA_DIR: dataDir, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
    }),
  );
  return { ...outcome, startedPostgres: existsSync(join(dataDir, "postgres")) };
}

describe("npm start with a real chain", () => {
  it.each([
    [
      "the development mnemonic",
      { WALLET_MNEMONIC: "" },
      "WALLET_MNEMONIC: the development mnemonic is public",
    ],
    ["the default APP_SECRET", { APP_SECRET: "" }, "APP_SECRET: the default secret is public"],
    ["INNGEST_DEV", { INNGEST_DEV: "1" }, "INNGEST_DEV: the Inngest dev server checks no signature"],
    ["a missing METRICS_TOKEN", { METRICS_TOKEN: "" }, "METRICS_TOKEN: required, or /api/metrics is public"],
    [
      "WEBHOOK_ALLOW_PRIVATE_TARGETS=1",
      { WEBHOOK_ALLOW_PRIVATE_TARGETS: "1" },
      "WEBHOOK_ALLOW_PRIVATE_TARGETS=1: private webhook targets are a devnet-only allowance",
    ],
  ])("refuses %s without DATABASE_URL, before starting anything", async (_name, change, line) => {
    const result = await start({ ...PROPER, ...change });
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain("Refusing to start: base (chain id 8453) is not a local devnet");
    expect(result.output).toContain(line);
    // Only the problem at hand is reported.
    expect(result.output.match(/^ {2}[A-Z_]+(=1)?: /gm)).toHaveLength(1);
    expect(result.startedPostgres).toBe(false);
    expect(rpcConnections).toBe(0);
  });

  it("refuses them all at once with DATABASE_URL and NODE_ENV=production too", async () => {
    const result = await start({
      DATABASE_URL: "postgresql://ctrip:ctrip@127.0.0.1:1/ctrip",
      NODE_ENV: "production",
      INNGEST_DEV: "1",
    });
    expect(result.code).not.toBe(0);
    expect(result.output.match(/^ {2}[A-Z_]+(=1)?: /gm)).toHaveLength(4);
    expect(rpcConnections).toBe(0);
  });
});

describe("next start launched directly (instrumentation.ts)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    // The hook opened the process-wide client (lib/db/client.ts keeps it on globalThis).
    await (globalThis as { ctripDb?: { $disconnect(): Promise<void> } }).ctripDb?.$disconnect();
    delete (globalThis as { ctripDb?: unknown }).ctripDb;
    await database.drop();
  });

  async function register(env: Record<string, string | undefined>) {
    vi.resetModules();
    const environment = {
      NEXT_RUNTIME: "nodejs",
      DATABASE_URL: database.databaseUrl,
      CHAINS_FILE: chainsFile,
      CTRIP_EMBEDDED_RUNNER: "off",
      INNGEST_DEV: undefined,
      INNGEST_SIGNING_KEY: undefined,
      ...env,
    };
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
    try {
      const { register: registerHook } = await import("../instrumentation");
      await registerHook();
    } finally {
      vi.unstubAllEnvs();
      delete (globalThis as { ctripBackgroundJobs?: unknown }).ctripBackgroundJobs;
    }
  }

  /** Runs the hook; a refusal ends the process (Next would log a failing hook and keep listening). */
  async function refusal(env: Record<string, string | undefined>): Promise<string> {
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`process.exit(${code})`);
    });
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await expect(register(env)).rejects.toThrow("process.exit(1)");
      return stderr.mock.calls.map(([chunk]) => String(chunk)).join("");
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  }

  it("refuses the development seed and secret before serving, and passes with proper secrets", async () => {
    expect(await refusal({ WALLET_MNEMONIC: undefined, APP_SECRET: undefined })).toMatch(
      /^cTrip Pay: Refusing to start: base \(chain id 8453\)[\s\S]*WALLET_MNEMONIC[\s\S]*APP_SECRET/,
    );
    expect(await database.db.installation.count()).toBe(0);
    await expect(register(PROPER)).resolves.toBeUndefined();
    expect(await database.db.installation.count()).toBe(1);
    expect(rpcConnections).toBe(0);
  });

  it("refuses another seed than the one the database was set up with", async () => {
    // The previous case stored PROPER's seed.
    const other =
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    expect(await refusal({ ...PROPER, WALLET_MNEMONIC: other })).toContain(
      `cTrip Pay: WALLET_MNEMONIC does not match this database: stored seed fingerprint ${seedFingerprint(PROPER.WALLET_MNEMONIC).slice(0, 16)}…, this process has ${seedFingerprint(other).slice(0, 16)}…`,
    );
  });
});

describe("npm start fails with one line saying what to do, never a stack trace", () => {
  let database: TestDatabase;
  /** A devnet chain not named `local`: npm start neither starts nor contacts a node for it. */
  let devnetChains: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    devnetChains = join(workDir, "devnet-chains.yaml");
    writeFileSync(
      devnetChains,
      `chains:\n  - { name: devnet, chainId: 31337, rpcUrls: ["${inject("anvilRpcUrl")}"], confirmations: 1, blockTime: 1, nativeCurrency: { symbol: ETH } }\n`,
    );
  });
  afterAll(() => database.drop());

  /** The failure's output: non-zero exit, the one line, and no stack frame anywhere. */
  function expectOneLineFailure(result: { code: number; output: string }, line: string | RegExp) {
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(line);
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(result.output).not.toMatch(/Error:|EACCES|Ready in/);
  }

  it("an invalid setting names the variable", async () => {
    const result = await start({ CHAINS_FILE: devnetChains, DATABASE_POOL_SIZE: "0" });
    expectOneLineFailure(result, /^ {2}DATABASE_POOL_SIZE: /m);
    expect(result.startedPostgres).toBe(false);
  });

  it("a taken PORT, before anything starts", async () => {
    const taken = createServer();
    await new Promise<void>((resolveListen) => taken.listen(0, "127.0.0.1", resolveListen));
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const result = await start({ CHAINS_FILE: devnetChains, PORT: String(port) });
      expectOneLineFailure(
        result,
        `[ctrip] port ${port} on 127.0.0.1 is already in use (another cTrip Pay or another program): stop it, or set PORT to a free port`,
      );
      expect(result.startedPostgres).toBe(false);
    } finally {
      await new Promise((resolveClose) => taken.close(resolveClose));
    }
  });

  it("an unreachable DATABASE_URL, with the password hidden", async () => {
    const result = await start({
      CHAINS_FILE: devnetChains,
      PORT: String(await freePort()),
      DATABASE_URL: "postgresql://ctrip:s3cret@127.0.0.1:1/ctrip",
    });
    expectOneLineFailure(
      result,
      "[ctrip] cannot reach PostgreSQL at postgresql://ctrip:***@127.0.0.1:1/ctrip (ECONNREFUSED): start it, or fix DATABASE_URL",
    );
    expect(result.output).not.toContain("s3cret");
  });

  it("migration drift: an applied migration whose file changed", async () => {
    const [first] = await database.db.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations ORDER BY migration_name LIMIT 1`;
    await database.db.$executeRaw`
      UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = ${first?.migration_name}`;
    const result = await start({
      CHAINS_FILE: devnetChains,
      PORT: String(await freePort()),
      DATABASE_URL: database.databaseUrl,
    });
    expectOneLineFailure(
      result,
      `[ctrip] database migrations: migration ${first?.migration_name} was modified after it was applied (checksum mismatch)`,
    );
  });

  it("a devnet state file Anvil cannot load", async () => {
    const dataDir = mkdtempSync(join(workDir, "data-"));
    mkdirSync(join(dataDir, "anvil"));
    const stateFile = join(dataDir, "anvil", "state.json");
    // Whole JSON with accounts (so it is not taken for a torn write), but not a state Anvil reads.
    writeFileSync(stateFile, JSON.stringify({ accounts: 5 }));
    const result = await start(
      {
        CHAINS_FILE: "chains.yaml",
        PORT: String(await freePort()),
        ANVIL_PORT: String(await freePort()),
        DATABASE_URL: database.databaseUrl,
      },
      dataDir,
    );
    expectOneLineFailure(result, `[ctrip] Anvil cannot load the devnet state ${stateFile} (invalid value`);
    expect(result.output).toContain(`move it aside (mv ${stateFile} ${stateFile}.broken)`);
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, a data folder under a folder the postgres user cannot enter (0700)",
    async () => {
      const closed = mkdtempSync(join(workDir, "closed-"));
      chmodSync(closed, 0o700);
      // The work folder itself is a mkdtemp folder (0700): only `closed` may block here.
      chmodSync(workDir, 0o755);
      const dataDir = join(closed, "data");
      const result = await start(
        {
          CHAINS_FILE: devnetChains,
          PORT: String(await freePort()),
          EMBEDDED_POSTGRES_PORT: String(await freePort()),
        },
        dataDir,
      );
      expectOneLineFailure(
        result,
        `[ctrip] the embedded PostgreSQL runs as the unprivileged user "postgres" (PostgreSQL refuses root), who cannot enter ${closed}`,
      );
      expect(result.output).toContain(`chmod o+x ${closed}`);
    },
  );
});
