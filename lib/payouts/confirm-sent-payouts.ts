import { getAddress } from "viem";
import type { TChain } from "../config/chains";
import type { Logger } from "../logger";
import { outgoingTransactionsOf } from "../transactions/outgoing-transaction-of";
import { readTokenTransfer } from "../transactions/tokens/read-token-transfer";
import { clientOf, nowOf, type TransactionDeps } from "../transactions/transaction-deps";
import { watchOutgoingTransaction } from "../transactions/watch-outgoing-transaction";
import { failPayout, recordedOf, recordPayoutEvent } from "./payout-transitions";
import { settleFeeReserve } from "./return-payout-funds";

// ─── Confirmation ─────────────────────────────────────────────────────────────────────────────────

/**
 * Records the outcome of sent payouts whose transaction has the chain's required confirmations
 * (watchOutgoingTransaction): success → `confirmed` (fee actually paid recorded, unused fee reserve
 * returned, `payout.confirmed`); reverted → `failed` (amount and unused fee returned, the gas spent
 * is kept, `payout.failed`).
 */
export async function confirmSentPayouts(
  deps: TransactionDeps,
  chain: TChain,
  options: { logger?: Logger; limit?: number; payoutId?: string } = {},
): Promise<{ confirmed: number; failed: number }> {
  const client = clientOf(deps, chain);
  const sent = await deps.db.payout.findMany({
    where: { chain: chain.name, status: "sent", ...(options.payoutId ? { id: options.payoutId } : {}) },
    take: options.limit ?? 500,
    select: {
      id: true,
      rawTx: true,
      replacedTxHashes: true,
      sentAt: true,
      tokenAddress: true,
      fromAddress: true,
      toAddress: true,
    },
  });
  if (sent.length === 0) return { confirmed: 0, failed: 0 };
  const engineRows = await outgoingTransactionsOf(deps.db, {
    chain: chain.name,
    purpose: "payout",
    owners: sent.map((payout) => ({ ownerId: payout.id, recorded: recordedOf(deps, payout) })),
  });
  const outcomes = await Promise.all(
    sent.map(async (payout) => {
      try {
        const row = engineRows.get(payout.id);
        if (!row) return null;
        const outcome = await watchOutgoingTransaction(deps.db, client, chain, {
          id: row.id,
          row,
          now: nowOf(deps),
        });
        return outcome.kind === "final" ? { payout, outcome } : null;
      } catch (error) {
        options.logger?.warn("payout receipt not read", { payoutId: payout.id, error });
        return null;
      }
    }),
  );
  let confirmed = 0;
  let failed = 0;
  for (const found of outcomes) {
    if (!found) continue;
    const { payout, outcome } = found;
    const payoutId = payout.id;
    // What the recipient received: a token's Transfer logs (never the call's return value; a
    // fee-on-transfer token delivers less), or the value sent.
    const received = payout.tokenAddress
      ? readTokenTransfer(outcome.receipt, {
          token: getAddress(payout.tokenAddress),
          from: getAddress(payout.fromAddress ?? ""),
          to: getAddress(payout.toAddress),
        }).received
      : outcome.value;
    const paid = outcome.success && received > 0n;
    const failure = outcome.success
      ? `transaction ${outcome.hash} moved no tokens to the recipient`
      : `transaction ${outcome.hash} reverted`;
    const result = await deps.db.$transaction(async (tx) => {
      // The mined transaction may be one a replacement superseded: the payout shows that one.
      const { count } = await tx.payout.updateMany({
        where: { id: payoutId, status: "sent" },
        data: paid
          ? {
              status: "confirmed",
              confirmedAt: nowOf(deps),
              lastError: null,
              txHash: outcome.hash,
              amountReceived: received.toString(),
            }
          : { lastError: failure, txHash: outcome.hash },
      });
      if (count === 0) return null;
      if (paid) {
        await settleFeeReserve(tx, payoutId, outcome.feePaid, nowOf(deps));
        await recordPayoutEvent(deps, tx, chain, payoutId, "payout.confirmed", nowOf(deps));
        return "confirmed" as const;
      }
      await failPayout(deps, tx, chain, payoutId, failure, outcome.feePaid);
      return "failed" as const;
    });
    if (result === "confirmed") confirmed += 1;
    if (result === "failed") failed += 1;
  }
  return { confirmed, failed };
}
