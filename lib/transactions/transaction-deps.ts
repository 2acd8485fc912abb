import { type ChainClient, chainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";

/**
 * What the senders of outgoing transactions (sweeps, payouts, top-ups) need. Only they ever hold the mnemonic: keys are derived on demand
 * from it and never stored or logged.
 */
export type TransactionDeps = {
  db: Db;
  chains: TChain[];
  mnemonic: string;
  /** The chain's client; defaults to the process-wide one of lib/chains. */
  clientFor?: (chain: TChain) => ChainClient;
  now?: () => Date;
  /**
   * How long a signed transaction may stay unmined before it is replaced with a higher fee;
   * default: 30 block times, at least a minute.
   */
  replaceAfterMs?: number;
};

export function clientOf(deps: TransactionDeps, chain: TChain): ChainClient {
  return deps.clientFor ? deps.clientFor(chain) : chainClient(chain);
}

export function nowOf(deps: TransactionDeps): Date {
  return deps.now ? deps.now() : new Date();
}

export function replaceAfterMsOf(deps: TransactionDeps, chain: TChain): number {
  return deps.replaceAfterMs ?? Math.max(60_000, chain.blockTime * 30_000);
}
