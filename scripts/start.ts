// `npm start`: the whole gateway on embedded defaults, or on what the environment configures.
//  - PostgreSQL: DATABASE_URL, or an embedded cluster under $CTRIP_DATA_DIR/postgres;
//  - the `local` chain: whatever listens on its RPC URL, or an Anvil devnet we start (1 s blocks,
//    state in $CTRIP_DATA_DIR/anvil) with the mock USDC placed and the default accounts funded;
//  - migrations, the wallet seed checked against the database's, the demo merchant (devnet only,
//    sign-in printed once), a production build when sources changed, then `next start` on
//    127.0.0.1 unless HOST is set (background jobs run in-process via instrumentation.ts).
// With a chain that is not a local devnet, the production guards are checked before anything starts.
// Ctrl-C (SIGINT) or SIGTERM stops every child process before exiting.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatEther } from "viem";
import { runningInstance } from "../lib/admin/resolve-database-url";
import { loadChainsConfig } from "../lib/config/chains";
import { isDevnetOnly, isLocalDevnet } from "../lib/config/devnet";
import { parseEnv } from "../lib/config/env";
import { assertProductionGuards, signUpEnabled } from "../lib/config/production-guards";
import { createDb } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { demoTreasuryAddress, setupDevnet } from "../lib/devnet/setup-devnet";
import { ensureDemoMerchant } from "../lib/merchants/ensure-demo-merchant";
import { isAnvil, isRpcListening, startAnvil } from "../lib/runtime/anvil";
import { startEmbeddedPostgres } from "../lib/runtime/embedded-postgres";
import { needsBuild } from "../lib/runtime/needs-build";
import { type ManagedProcess, runChild, stopAll } from "../lib/runtime/processes";
import { nextServerArgs, nextServerCommand } from "../lib/runtime/server-command";
import {
  assertDatabaseReachable,
  assertPortFree,
  StartupError,
  startupFailureMessage,
} from "../lib/runtime/startup-checks";
import { gasTankAddress } from "../lib/transactions/signing-accounts";
import { assertSeedFingerprint } from "../lib/wallet/seed-fingerprint";

const root = resolve(import.meta.dirname, "..");
/** `npm run dev`: the same runtime with `next dev` (hot reload) instead of a production build. */
const devMode = process.argv.includes("--dev");
const say = (message: string) => console.log(`[ctrip] ${message}`);
const running: ManagedProcess[] = [];
let stopping = false;
/** True once this process wrote runtime.json (it removes it on exit, a joining instance does not). */
let ownsRuntimeFile = false;

async function main(): Promise<void> {
  const config = parseEnv();
  const chains = loadChainsConfig(resolve(root, config.CHAINS_FILE)).chains;
  // Before Postgres, Anvil or Next start and before any RPC is contacted: the chains decide.
  assertProductionGuards(config, chains, "server");
  say(
    `${isDevnetOnly(chains) ? "every chain is a local devnet: development allowances on" : "a chain is not a local devnet: production guards on"}; ` +
      `sign-up ${signUpEnabled(config, chains) ? "open" : "closed"} (SIGN_UP_ENABLED)`,
  );
  // Before anything starts: a taken port used to surface as Next's EADDRINUSE stack trace after
  // PostgreSQL, Anvil and the migrations had run.
  await assertPortFree(config.PORT, config.HOST ?? "127.0.0.1", "PORT");
  // A second `npm start` from this folder (another PORT) joins the running one's embedded
  // database, and through the local chain's RPC URL its devnet: scale-out you can try locally.
  const joined = config.DATABASE_URL ? null : runningInstance(config, root);
  if (!config.DATABASE_URL && !joined) await assertEmbeddedPostgresPortFree(config.EMBEDDED_POSTGRES_PORT);
  const dataDir = resolve(root, config.CTRIP_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  let databaseUrl = config.DATABASE_URL ?? joined?.databaseUrl;
  if (databaseUrl) {
    await assertDatabaseReachable(databaseUrl).catch((error: unknown) => {
      if (!joined) throw error;
      throw new StartupError(
        `${join(dataDir, "runtime.json")} names a running npm start (pid ${joined.pid}) whose database does not answer: stop that process, or remove the file if it is not cTrip Pay`,
      );
    });
    say(
      joined
        ? `PostgreSQL: the embedded database of the npm start running from this folder (pid ${joined.pid}); this instance joins it`
        : "PostgreSQL: DATABASE_URL",
    );
  } else {
    const postgres = await startEmbeddedPostgres({
      dataDir: join(dataDir, "postgres"),
      port: config.EMBEDDED_POSTGRES_PORT,
      database: "ctrip",
    }).catch((error: unknown) => {
      if (error instanceof StartupError) throw error;
      throw new StartupError(
        `the embedded PostgreSQL did not start (${startupFailureMessage(error).replace(/^could not start: /, "")}): check ${join(dataDir, "postgres")}, or set DATABASE_URL to a PostgreSQL server`,
      );
    });
    running.push({ name: "postgres", stop: postgres.stop });
    databaseUrl = postgres.databaseUrl;
    say(`PostgreSQL: embedded, data in ${join(dataDir, "postgres")}, port ${config.EMBEDDED_POSTGRES_PORT}`);
  }

  const local = chains.find((chain) => chain.name === "local" && isLocalDevnet(chain));
  let localIsDevnet = false;
  if (local) {
    const rpcUrl = local.rpcUrls[0] ?? "";
    if (await isRpcListening(rpcUrl)) say(`local chain: using the node at ${rpcUrl}`);
    else {
      mkdirSync(join(dataDir, "anvil"), { recursive: true });
      const stateFile = join(dataDir, "anvil", "state.json");
      const anvil = await startAnvil({
        port: Number(new URL(rpcUrl).port),
        chainId: local.chainId,
        blockTime: local.blockTime,
        stateFile,
      }).catch((error: unknown) => {
        throw anvilStartupError(error, stateFile);
      });
      running.push({ name: "anvil", stop: anvil.stop });
      say(
        `local chain: Anvil at ${rpcUrl} (chain ${local.chainId}, ${local.blockTime} s blocks, state in ${join(dataDir, "anvil")})`,
      );
    }
    const usdc = local.tokens.find((token) => token.symbol === "USDC");
    localIsDevnet = await isAnvil(rpcUrl);
    if (usdc && localIsDevnet) {
      const gasTank = gasTankAddress(config.WALLET_MNEMONIC);
      const devnet = await setupDevnet(rpcUrl, { tokenAddress: usdc.address, gasTank });
      say(
        `local chain: mock USDC at ${devnet.tokenAddress}; ${devnet.funded.length} default accounts funded; ` +
          `gas tank ${gasTank} holds ${formatEther(devnet.gasTankBalance ?? 0n)} ETH`,
      );
    }
  }

  const migrated = await migrateDatabase(databaseUrl).catch((error: unknown) => {
    throw new StartupError(
      `database migrations: ${startupFailureMessage(error).replace(/^could not start: /, "")} (npm run db:status shows the applied and pending migrations)`,
    );
  });
  say(`migrations: ${migrated.applied.length} applied, ${migrated.alreadyApplied.length} already in place`);

  const db = createDb(databaseUrl, { maxConnections: 2 });
  try {
    await assertSeedFingerprint(db, config.WALLET_MNEMONIC);
    // Only on the devnet (ensureDemoMerchant checks the chains); there it gets a treasury, so a paid
    // demo payment ends `settled`.
    const demo = await ensureDemoMerchant(db, {
      chains,
      ...(local && localIsDevnet
        ? { treasury: { chains, chain: local.name, address: demoTreasuryAddress() } }
        : {}),
    });
    if (demo) say(`demo merchant created — sign-in: ${demo.email} / ${demo.password} (shown only this once)`);
    if (demo?.treasury) say(`demo merchant's treasury on ${demo.treasury.chain}: ${demo.treasury.address}`);
  } finally {
    await db.$disconnect();
  }

  const childEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    CTRIP_DATA_DIR: dataDir,
  };
  if (!devMode && needsBuild(root)) {
    say("building the app (sources changed since the last build)…");
    await runChild("next build", nextBin(), ["build"], {
      cwd: root,
      env: { ...childEnv, NODE_ENV: "production" },
    });
  }

  if (stopping) return;
  const server = nextServerCommand(root, config, nextServerArgs(config, devMode ? "dev" : "start"));
  const next = spawn(server.command, server.args, { cwd: root, env: childEnv, stdio: "inherit" });
  const exited = new Promise<number>((resolveExit) =>
    next.once("exit", (code, signal) => resolveExit(code ?? (signal ? 0 : 1))),
  );
  running.push({
    name: "next",
    async stop() {
      if (next.exitCode === null && next.signalCode === null) next.kill("SIGTERM");
      await exited;
    },
  });
  // The first instance's file: a joining instance must not take it over (nor remove it on exit).
  if (!joined) {
    writeFileSync(
      join(dataDir, "runtime.json"),
      `${JSON.stringify({ pid: process.pid, databaseUrl, port: config.PORT, startedAt: new Date().toISOString() }, null, 2)}\n`,
      { mode: 0o600 },
    );
    ownsRuntimeFile = true;
  }
  say(`cTrip Pay is starting on ${publicUrl(config.PORT)} (Ctrl-C to stop)`);
  const code = await exited;
  if (!stopping) {
    say(`the app exited with code ${code}; stopping`);
    await shutdown(code || 1);
  }
}

/** The embedded cluster's port: taken by anything but our own cluster (which start reuses) is a refusal. */
async function assertEmbeddedPostgresPortFree(port: number): Promise<void> {
  await assertPortFree(port, "127.0.0.1", "EMBEDDED_POSTGRES_PORT").catch((error: unknown) => {
    throw new StartupError(
      `${startupFailureMessage(error)}; to share a running instance's database, set DATABASE_URL to it (its runtime.json in CTRIP_DATA_DIR names it)`,
    );
  });
}

/** Anvil refused to start: most often a devnet state file it cannot load (damaged or from another version). */
function anvilStartupError(error: unknown, stateFile: string): StartupError {
  const output = error instanceof Error ? error.message : String(error);
  const reason =
    output
      .split("\n")
      .find((line) => /^error:/i.test(line.trim()))
      ?.trim()
      .replace(/^error:\s*/i, "") ?? startupFailureMessage(error);
  if (/state|json/i.test(reason))
    return new StartupError(
      `Anvil cannot load the devnet state ${stateFile} (${reason}): move it aside (mv ${stateFile} ${stateFile}.broken) to start a fresh devnet, or restore ${stateFile}.bak`,
    );
  return new StartupError(
    `Anvil did not start (${reason}): check ANVIL_PORT and the local chain's RPC URL in CHAINS_FILE`,
  );
}

function nextBin(): string {
  return join(root, "node_modules", ".bin", "next");
}

function publicUrl(port: number): string {
  return process.env.PUBLIC_URL ?? `http://localhost:${port}`;
}

let shuttingDown: Promise<void> | undefined;

/** Stops every child once; later signals (tsx relays Ctrl-C a second time) wait for the same stop. */
async function shutdown(code: number): Promise<never> {
  stopping = true;
  shuttingDown ??= (async () => {
    await stopAll(running, (message) => say(message));
    if (ownsRuntimeFile)
      rmSync(join(resolve(root, process.env.CTRIP_DATA_DIR || ".data"), "runtime.json"), { force: true });
  })();
  await shuttingDown;
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    say(`${signal}: stopping…`);
    void shutdown(0);
  });

// One line saying what to do, never a stack trace.
main().catch(async (error: unknown) => {
  console.error(`[ctrip] ${startupFailureMessage(error)}`);
  await shutdown(1);
});
