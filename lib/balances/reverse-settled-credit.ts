import type { Tx } from "../db/client";
import { recordChainIncident } from "../health/chain-incidents";
import { postLedgerEntry } from "./post-ledger-entry";

/**
 * The books after a reorg took a settled payment's funds off the chain (exception
 * `reorged_after_settlement`), in the recompute's transaction: in balance mode, an `adjustment`
 * entry takes back what `payment_settled` credited, even if the balance goes negative (owed, which
 * refuses payouts); in both modes an incident is recorded, shown by /api/health until acknowledged.
 * Never twice for one payment (the unique (payment_id, type) index of the ledger).
 */
export async function reverseSettledCredits(
  tx: Tx,
  paymentIds: readonly string[],
  context: { now: Date; depth: number | null },
): Promise<void> {
  if (paymentIds.length === 0) return;
  const payments = await tx.payment.findMany({
    where: { id: { in: [...paymentIds] } },
    select: { id: true, merchantId: true, chain: true, amount: true, tokenSymbol: true },
  });
  const credits = await tx.balanceTransaction.findMany({
    where: { paymentId: { in: [...paymentIds] }, type: "payment_settled" },
    select: { paymentId: true, amount: true },
  });
  const adjusted = new Set(
    (
      await tx.balanceTransaction.findMany({
        where: { paymentId: { in: [...paymentIds] }, type: "adjustment" },
        select: { paymentId: true },
      })
    ).map((entry) => entry.paymentId),
  );
  for (const payment of payments) {
    const credit = credits.find((entry) => entry.paymentId === payment.id);
    const taken = credit ? BigInt(credit.amount.toFixed()) : 0n;
    if (taken > 0n && !adjusted.has(payment.id))
      await postLedgerEntry(tx, {
        merchantId: payment.merchantId,
        chain: payment.chain,
        tokenSymbol: payment.tokenSymbol,
        type: "adjustment",
        amount: -taken,
        paymentId: payment.id,
        description: `chain reorganisation took back the settled payment ${payment.id}`,
        createdAt: context.now,
        allowOwed: true,
      });
    await recordChainIncident(tx, {
      chain: payment.chain,
      kind: "reorged_after_settlement",
      merchantId: payment.merchantId,
      paymentId: payment.id,
      depth: context.depth ?? 0,
      detail:
        taken > 0n
          ? `payment ${payment.id} was settled, then a reorg took its transfer off the chain: ${taken} base units of ${payment.tokenSymbol} taken back from the balance`
          : `payment ${payment.id} was settled to the treasury, then a reorg took its transfer off the chain`,
      createdAt: context.now,
    });
  }
}
