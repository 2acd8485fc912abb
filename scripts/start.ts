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
import { loadChainsConfig } from "../lib/config/chains";
import { isDevnetOnly, isLocalDevnet } from "../lib/config/devnet";
import { ConfigError, parseEnv } from "../lib/config/env";
import { moneyRoutingDelaySeconds } from "../lib/config/money-routing-delay";
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
import { gasTankAddress } from "../lib/transactions/signing-accounts";
import { assertSeedFingerprint } from "../lib/wallet/seed-fingerprint";

const root = resolve(import.meta.dirname, "..");
/** `npm run dev`: the same runtime with `next dev` (hot reload) instead of a production build. */
const devMode = process.argv.includes("--dev");
const say = (message: string) => console.log(`[ctrip] ${message}`);
const running: ManagedProcess[] = [];
let stopping = false;

async function main(): Promise<void> {
  const config = parseEnv();
  const chains = loadChainsConfig(resolve(root, config.CHAINS_FILE)).chains;
  // Before Postgres, Anvil or Next start and before any RPC is contacted: the chains decide.
  assertProductionGuards(config, chains, "server");
  say(
    `${isDevnetOnly(chains) ? "every chain is a local devnet: development allowances on" : "a chain is not a local devnet: production guards on"}; ` +
      `sign-up ${signUpEnabled(config, chains) ? "open" : "closed"} (SIGN_UP_ENABLED)`,
  );
  moneyRoutingDelaySeconds(chains, config.MONEY_ROUTING_DELAY_SECONDS);
  const dataDir = resolve(root, config.CTRIP_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  let databaseUrl = config.DATABASE_URL;
  if (databaseUrl) say("PostgreSQL: DATABASE_URL");
  else {
    const postgres = await startEmbeddedPostgres({
      dataDir: join(dataDir, "postgres"),
      port: config.EMBEDDED_POSTGRES_PORT,
      database: "ctrip",
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
      const anvil = await startAnvil({
        port: Number(new URL(rpcUrl).port),
        chainId: local.chainId,
        blockTime: local.blockTime,
        stateFile: join(dataDir, "anvil", "state.json"),
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

  const migrated = await migrateDatabase(databaseUrl);
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
  writeFileSync(
    join(dataDir, "runtime.json"),
    `${JSON.stringify({ pid: process.pid, databaseUrl, port: config.PORT, startedAt: new Date().toISOString() }, null, 2)}\n`,
    { mode: 0o600 },
  );
  say(`cTrip Pay is starting on ${publicUrl(config.PORT)} (Ctrl-C to stop)`);
  const code = await exited;
  if (!stopping) {
    say(`the app exited with code ${code}; stopping`);
    await shutdown(code || 1);
  }
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

main().catch(async (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  await shutdown(1);
});
