import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { Logger } from "../logger";
import { broadcastOutgoingTransaction } from "./broadcast-raw-transaction";
import { transactionPolicyOf } from "./fees/transaction-policy";
import {
  type ReplaceOutcome,
  type ReplaceStuckTransactionParams,
  replaceStuckTransaction,
} from "./replace-stuck-transaction";
import { clientOf, nowOf, stuckAfterMsOf, type TransactionDeps } from "./transaction-deps";

/**
 * How to replace one owner's (sweep, payout, top-up) stuck transaction: the engine's row and signer,
 * the owner's hooks, and `record`, which writes the outcome onto the owner (its copy of the bytes
 * and hashes, a pause reason) in the same database transaction as the replacement.
 */
export type OwnedReplacement = Pick<
  ReplaceStuckTransactionParams,
  "id" | "signer" | "raiseFees" | "replacementValue" | "beforeSign"
> & {
  record?: (tx: Tx, outcome: ReplaceOutcome) => Promise<void>;
};

/**
 * Replaces one owner's stuck transaction in the caller's database transaction, under the chain's
 * policy (replaceStuckTransaction; the stuck timeout of `deps.replaceAfterMs` or the policy), and
 * records the outcome on the owner. Nothing is broadcast: the caller sends the bytes once committed.
 */
export async function replaceOwnedTransaction(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  replacement: OwnedReplacement & { stuckAfterMs?: number; logger?: Logger },
): Promise<ReplaceOutcome> {
  const { record, stuckAfterMs, ...params } = replacement;
  const outcome = await replaceStuckTransaction(tx, client, {
    ...params,
    chain,
    policy: transactionPolicyOf(chain),
    stuckAfterMs: stuckAfterMs ?? stuckAfterMsOf(deps, chain),
    now: nowOf(deps),
  });
  await record?.(tx, outcome);
  return outcome;
}

export type ReplaceStuckTransactionsParams<Owner extends { id: string }> = {
  chain: TChain;
  owners: readonly Owner[];
  /**
   * In the replacing database transaction: lock the owner (FOR UPDATE SKIP LOCKED) and say how its
   * transaction is replaced; null skips it (another runner holds it, or it has moved on).
   */
  prepare: (tx: Tx, owner: Owner) => Promise<OwnedReplacement | null>;
  /**
   * After commit: `replaced` broadcasts the replacements (default), `all` also sends again the
   * recorded bytes of those not replaced (after a crash, or a node that dropped them), `none` nothing.
   */
  broadcast?: "replaced" | "all" | "none";
  stuckAfterMs?: number;
  logger?: Logger;
};

export type OwnerReplacement<Owner> = { owner: Owner; outcome: ReplaceOutcome };

/**
 * The one loop that replaces the stuck transactions of many owners (payouts, hot-wallet top-ups):
 * each in its own database transaction (prepare → replaceOwnedTransaction → record), then broadcast.
 * An owner that fails is logged and left for the next pass; the others go on.
 */
export async function replaceStuckTransactions<Owner extends { id: string }>(
  deps: TransactionDeps,
  params: ReplaceStuckTransactionsParams<Owner>,
): Promise<OwnerReplacement<Owner>[]> {
  const { chain, logger } = params;
  const client = clientOf(deps, chain);
  const broadcast = params.broadcast ?? "replaced";
  const results: OwnerReplacement<Owner>[] = [];
  for (const owner of params.owners) {
    try {
      const { id, outcome } = await deps.db.$transaction(
        async (tx): Promise<{ id: string | null; outcome: ReplaceOutcome }> => {
          const replacement = await params.prepare(tx, owner);
          if (!replacement) return { id: null, outcome: { kind: "not_stuck" } };
          const replaced = await replaceOwnedTransaction(deps, tx, client, chain, {
            ...replacement,
            stuckAfterMs: params.stuckAfterMs,
            logger,
          });
          return { id: replacement.id, outcome: replaced };
        },
        { timeout: 60_000 },
      );
      results.push({ owner, outcome });
      const send = outcome.kind === "replaced" ? broadcast !== "none" : broadcast === "all";
      if (!id || !send) continue;
      const sent = await broadcastOutgoingTransaction(deps.db, client, id);
      if (sent.kind === "failed")
        logger?.warn("outgoing transaction not broadcast; retrying on the next run", {
          outgoingTransactionId: id,
          error: sent.message,
        });
    } catch (error) {
      logger?.warn("stuck transaction not replaced; retrying on the next run", { ownerId: owner.id, error });
    }
  }
  return results;
}
