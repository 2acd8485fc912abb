import { type ChainClient, chainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";

/**
 * What the sweeper needs. Only it (and payouts) ever holds the mnemonic: keys are derived on demand
 * from it and never stored or logged.
 */
export type SettlementDeps = {
  db: Db;
  chains: TChain[];
  mnemonic: string;
  /** The chain's client; defaults to the process-wide one of lib/chains. */
  clientFor?: (chain: TChain) => ChainClient;
  now?: () => Date;
};

export function clientOf(deps: SettlementDeps, chain: TChain): ChainClient {
  return deps.clientFor ? deps.clientFor(chain) : chainClient(chain);
}

export function nowOf(deps: SettlementDeps): Date {
  return deps.now ? deps.now() : new Date();
}
