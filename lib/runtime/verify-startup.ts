import { configuredChains } from "../config/chains";
import { env } from "../config/env";
import { assertProductionGuards } from "../config/production-guards";
import { db } from "../db/client";
import { assertSeedFingerprint } from "../wallet/seed-fingerprint";

/**
 * What the app server (instrumentation.ts) and `npm run worker` check before they serve or run a
 * job: the production guards of the configured chains, then the wallet seed against the one this
 * database was set up with. Throws a ConfigError with one line per problem.
 */
export async function verifyStartup(role: "server" | "worker"): Promise<void> {
  const config = env();
  assertProductionGuards(config, configuredChains(), role);
  await assertSeedFingerprint(db(), config.WALLET_MNEMONIC);
}
