import { postLedgerEntry } from "../balances/post-ledger-entry";
import type { Tx } from "../db/client";
import { toBigInt } from "../payments/payment-object";

/**
 * Returns what a payout that will never be paid reserved: its amount (`payout_reversed`) and, if a
 * transaction was signed, the part of the fee reserve that was not spent (`payout_fee`, positive).
 * `feeSpent` is the fee of a transaction that was mined but reverted: that gas is gone.
 * Called in the transaction that moves the payout to `rejected` or `failed`.
 */
export async function returnPayoutFunds(
  tx: Tx,
  payoutId: string,
  options: { reason: string; feeSpent?: bigint; createdAt?: Date },
): Promise<void> {
  const payout = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: { merchantId: true, chain: true, tokenSymbol: true, amount: true, feeReserved: true },
  });
  await postLedgerEntry(tx, {
    merchantId: payout.merchantId,
    chain: payout.chain,
    tokenSymbol: payout.tokenSymbol,
    type: "payout_reversed",
    amount: toBigInt(payout.amount),
    payoutId,
    description: options.reason,
    createdAt: options.createdAt,
  });
  await settleFeeReserve(tx, payoutId, options.feeSpent ?? 0n, options.createdAt);
}

/**
 * Credits back the unused part of a payout's fee reserve (reserve − actual fee), records the actual
 * fee on the payout, and clears the reserve so it is never returned twice. For a payout whose gas
 * the gas tank sponsored, the unused part simply stays in the hot wallet's gas float.
 */
export async function settleFeeReserve(
  tx: Tx,
  payoutId: string,
  actualFee: bigint,
  createdAt?: Date,
): Promise<void> {
  const payout = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: { merchantId: true, chain: true, feeReserved: true, gasSponsored: true },
  });
  const reserved = toBigInt(payout.feeReserved);
  const unused = reserved - actualFee;
  // A sponsored payout's reserve came from the gas tank's float, not the ledger: only `fee` moves.
  if (reserved > 0n && unused > 0n && !payout.gasSponsored) {
    const nativeSymbol = await nativeSymbolOf(tx, payoutId);
    await postLedgerEntry(tx, {
      merchantId: payout.merchantId,
      chain: payout.chain,
      tokenSymbol: nativeSymbol,
      type: "payout_fee",
      amount: unused,
      payoutId,
      description: "unused fee reserve returned",
      createdAt,
    });
  }
  await tx.payout.update({
    where: { id: payoutId },
    data: { feeReserved: "0", fee: actualFee.toString() },
  });
}

/** The native coin symbol the fee reserve was taken in, read from the reserving entry. */
async function nativeSymbolOf(tx: Tx, payoutId: string): Promise<string> {
  const entry = await tx.balanceTransaction.findFirstOrThrow({
    where: { payoutId, type: "payout_fee" },
    orderBy: { createdAt: "asc" },
    select: { tokenSymbol: true },
  });
  return entry.tokenSymbol;
}
