import { type ChainClient, chainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { transactionPolicyOf } from "./fees/transaction-policy";

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
   * default: the chain's policy (chains.yaml `transactions.stuckAfterSeconds`).
   */
  replaceAfterMs?: number;
};

export function clientOf(deps: TransactionDeps, chain: TChain): ChainClient {
  return deps.clientFor ? deps.clientFor(chain) : chainClient(chain);
}

export function nowOf(deps: TransactionDeps): Date {
  return deps.now ? deps.now() : new Date();
}

/** How long a transaction stays unmined before it counts as stuck: `replaceAfterMs`, else the policy's. */
export function stuckAfterMsOf(deps: TransactionDeps, chain: TChain): number {
  return deps.replaceAfterMs ?? transactionPolicyOf(chain).stuckAfterSeconds * 1000;
}
