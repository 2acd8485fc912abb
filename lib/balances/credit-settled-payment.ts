import type { Tx } from "../db/client";
import { type LedgerEntry, postLedgerEntry } from "./post-ledger-entry";

/**
 * Credits what a confirmed balance-mode sweep moved into the merchant's hot wallet (native: the
 * deposit minus the sweep's gas; ERC-20: the tokens), as one `payment_settled` entry. Called in the
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
    paymentId: params.paymentId,
    description: params.txHash ? `swept to the hot wallet in ${params.txHash}` : null,
    createdAt: params.createdAt,
  });
}
