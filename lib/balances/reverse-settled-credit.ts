import type { Tx } from "../db/client";
import { recordChainIncident } from "../health/chain-incidents";
import { postLedgerEntry } from "./post-ledger-entry";

/**
 * The books after a reorg took a settled payment's funds off the chain (exception
 * `reorged_after_settlement`), in the recompute's transaction: in balance mode, an `adjustment`
 * entry takes back what `payment_settled` credited, even if the balance goes negative (owed, which
 * refuses payouts); in both modes an incident is recorded, shown by /api/health until acknowledged.
 * Never twice for one coin of a payment (the unique (payment_id, type, chain, token_symbol) index).
 */
export async function reverseSettledCredits(
  tx: Tx,
  paymentIds: readonly string[],
  context: { now: Date; depth: number | null },
): Promise<void> {
  if (paymentIds.length === 0) return;
  const payments = await tx.payment.findMany({
    where: { id: { in: [...paymentIds] } },
    select: { id: true, merchantId: true, chain: true },
  });
  const credits = await tx.balanceTransaction.findMany({
    where: { paymentId: { in: [...paymentIds] }, type: "payment_settled" },
    select: { paymentId: true, chain: true, tokenSymbol: true, amount: true },
    orderBy: { createdAt: "asc" },
  });
  const adjusted = await tx.balanceTransaction.findMany({
    where: { paymentId: { in: [...paymentIds] }, type: "adjustment" },
    select: { paymentId: true, chain: true, tokenSymbol: true },
  });
  // A payment paid in several coins: the coins whose transfers still stand keep their credit.
  const standing = await tx.$queryRaw<{ payment_id: string; chain: string; token_symbol: string }[]>`
    SELECT DISTINCT o.payment_id, o.chain, o.token_symbol FROM payment_options o
    JOIN transfers t ON t.payment_id = o.payment_id AND t.chain = o.chain
      AND lower(coalesce(t.token_address, '')) = lower(coalesce(o.token_address, ''))
    WHERE o.payment_id = ANY(${[...paymentIds]}::text[]) AND t.status <> 'reverted'`;
  for (const payment of payments) {
    // One credit per coin the payment was paid in (several for a fiat-priced one): each taken back once.
    const taken: string[] = [];
    for (const credit of credits.filter((entry) => entry.paymentId === payment.id)) {
      const amount = BigInt(credit.amount.toFixed());
      const done = adjusted.some(
        (entry) =>
          entry.paymentId === payment.id &&
          entry.chain === credit.chain &&
          entry.tokenSymbol === credit.tokenSymbol,
      );
      const stands = standing.some(
        (coin) =>
          coin.payment_id === payment.id &&
          coin.chain === credit.chain &&
          coin.token_symbol === credit.tokenSymbol,
      );
      if (amount <= 0n || done || stands) continue;
      await postLedgerEntry(tx, {
        merchantId: payment.merchantId,
        chain: credit.chain,
        tokenSymbol: credit.tokenSymbol,
        type: "adjustment",
        amount: -amount,
        paymentId: payment.id,
        description: `chain reorganisation took back the settled payment ${payment.id}`,
        createdAt: context.now,
        allowOwed: true,
      });
      taken.push(
        `${amount} base units of ${credit.tokenSymbol}${credit.chain === payment.chain ? "" : ` on ${credit.chain}`}`,
      );
    }
    await recordChainIncident(tx, {
      chain: payment.chain,
      kind: "reorged_after_settlement",
      merchantId: payment.merchantId,
      paymentId: payment.id,
      depth: context.depth ?? 0,
      detail:
        taken.length > 0
          ? `payment ${payment.id} was settled, then a reorg took its transfer off the chain: ${taken.join(" and ")} taken back from the balance`
          : `payment ${payment.id} was settled to the treasury, then a reorg took its transfer off the chain`,
      createdAt: context.now,
    });
  }
}

/**
 * The books after a reorg took accepted unattributed transfers off the chain (`transferIds`, just
 * reverted), in the reorg's transaction: a `transfer_accepted` credit is taken back by an
 * `adjustment` naming the same transfer (even into owed; at most once: the unique (transfer_id,
 * type) index), and an incident is recorded. Returns the payments of the transfers that had been
 * swept (their sweeps are then voided if their transactions left the chain too).
 */
export async function reverseAcceptedTransferCredits(
  tx: Tx,
  transferIds: readonly string[],
  context: { now: Date; depth: number | null },
): Promise<string[]> {
  if (transferIds.length === 0) return [];
  const swept = await tx.sweep.findMany({
    where: { transferId: { in: [...transferIds] }, status: "confirmed" },
    select: {
      merchantId: true,
      paymentId: true,
      chain: true,
      transfer: { select: { id: true, txHash: true } },
    },
  });
  const credits = await tx.balanceTransaction.findMany({
    where: { transferId: { in: [...transferIds] }, type: "transfer_accepted" },
    select: { transferId: true, chain: true, tokenSymbol: true, amount: true },
  });
  const adjusted = await tx.balanceTransaction.findMany({
    where: { transferId: { in: [...transferIds] }, type: "adjustment" },
    select: { transferId: true },
  });
  for (const sweep of swept) {
    const transfer = sweep.transfer;
    if (!transfer) continue;
    const credit = credits.find((entry) => entry.transferId === transfer.id);
    const amount = credit ? BigInt(credit.amount.toFixed()) : 0n;
    const taken = credit && amount > 0n && !adjusted.some((entry) => entry.transferId === transfer.id);
    if (credit && taken)
      await postLedgerEntry(tx, {
        merchantId: sweep.merchantId,
        chain: credit.chain,
        tokenSymbol: credit.tokenSymbol,
        type: "adjustment",
        amount: -amount,
        transferId: transfer.id,
        description: `chain reorganisation took back the accepted transfer ${transfer.txHash} to payment ${sweep.paymentId}`,
        createdAt: context.now,
        allowOwed: true,
      });
    await recordChainIncident(tx, {
      chain: sweep.chain,
      kind: "reorged_after_settlement",
      merchantId: sweep.merchantId,
      paymentId: sweep.paymentId,
      depth: context.depth ?? 0,
      detail:
        credit && taken
          ? `transfer ${transfer.txHash} to payment ${sweep.paymentId} was accepted and swept, then a reorg took it off the chain: ${amount} base units of ${credit.tokenSymbol} taken back from the balance`
          : `transfer ${transfer.txHash} to payment ${sweep.paymentId} was accepted and swept, then a reorg took it off the chain`,
      createdAt: context.now,
    });
  }
  return [...new Set(swept.map((sweep) => sweep.paymentId))];
}
