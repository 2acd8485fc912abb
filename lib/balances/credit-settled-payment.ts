import type { Tx } from "../db/client";
import { type LedgerEntry, postLedgerEntry } from "./post-ledger-entry";

/**
 * Credits what a confirmed balance-mode sweep moved into the merchant's hot wallet (native: the
 * deposit minus the sweep's gas; ERC-20: the tokens that arrived), as one `payment_settled` entry
 * with its gross and fee. Called in the
 * confirming transaction of the payment's last coin's sweep, only when the payment becomes `settled`
 * (one entry per coin of a payment paid in several); the unique (payment_id, type, chain,
 * token_symbol) index turns any second credit of a coin into a failed transaction, never a second
 * entry.
 */
export async function creditSettledPayment(
  tx: Tx,
  params: {
    merchantId: string;
    chain: string;
    tokenSymbol: string;
    paymentId: string;
    amount: bigint;
    /** What the deposit address sent and what moving it cost: `amount = gross - fee`. */
    split: { gross: bigint; fee: bigint };
    txHash: string | null;
    createdAt?: Date;
  },
): Promise<LedgerEntry | null> {
  if (params.amount <= 0n) return null;
  return postLedgerEntry(tx, {
    merchantId: params.merchantId,
    chain: params.chain,
    tokenSymbol: params.tokenSymbol,
    type: "payment_settled",
    amount: params.amount,
    split: params.split,
    paymentId: params.paymentId,
    description: params.txHash ? `swept to the hot wallet in ${params.txHash}` : null,
    createdAt: params.createdAt,
  });
}
