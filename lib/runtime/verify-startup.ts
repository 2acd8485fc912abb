import { setTimeout as sleep } from "node:timers/promises";
import { configuredChains } from "../config/chains";
import { ConfigError, env } from "../config/env";
import { assertProductionGuards } from "../config/production-guards";
import { configuredRates } from "../config/rates";
import { db } from "../db/client";
import { logger } from "../logger";
import { assertSeedFingerprint } from "../wallet/seed-fingerprint";
import { startupFailureMessage } from "./startup-checks";

/** How long a starting process waits for the database (e.g. a container started before it). */
const DATABASE_WAIT_MS = 60_000;

/**
 * What the app server (instrumentation.ts) and `npm run worker` check before they serve or run a
 * job: the production guards of the configured chains, that rates.yaml is valid, then the wallet seed against the one this
 * database was set up with (waiting up to a minute for the database to answer). Throws a
 * ConfigError with one line per problem.
 */
export async function verifyStartup(
  role: "server" | "worker",
  options: { databaseWaitMs?: number } = {},
): Promise<void> {
  const config = env();
  assertProductionGuards(config, configuredChains(), role);
  configuredRates(); // a bad rates.yaml stops the process here, not at the first fiat-priced payment
  const deadline = Date.now() + (options.databaseWaitMs ?? DATABASE_WAIT_MS);
  for (;;) {
    try {
      await assertSeedFingerprint(db(), config.WALLET_MNEMONIC);
      return;
    } catch (error) {
      if (error instanceof ConfigError || Date.now() >= deadline) throw error;
      logger.warn("the database does not answer yet; the wallet seed is checked once it does", { error });
      await sleep(1_000);
    }
  }
}

/**
 * Ends the process after a failed startup check, with the message alone on stderr: Next logs a
 * failing instrumentation hook and keeps listening, which is not a refusal.
 */
export function exitOnStartupFailure(error: unknown, prefix: string): never {
  process.stderr.write(`${prefix}: ${startupFailureMessage(error)}\n`);
  process.exit(1);
}
