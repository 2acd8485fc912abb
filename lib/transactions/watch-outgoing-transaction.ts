import type { TransactionReceipt } from "viem";
import { minedReceipt } from "../chains/mined-receipt";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db, Tx } from "../db/client";
import { paidFee } from "./fees/transaction-cost";

/** The fields of outgoing_transactions the watcher reads (a caller that has the row passes it). */
export const WATCHED_SELECT = {
  id: true,
  ownerId: true,
  txHash: true,
  replacedTxHashes: true,
  value: true,
  l1Fee: true,
} as const;
export type WatchedRow = {
  id: string;
  ownerId: string;
  txHash: string;
  replacedTxHashes: string[];
  value: { toFixed(): string };
  l1Fee: { toFixed(): string };
};

export type OutgoingOutcome =
  /** None of its transactions (current or replaced) is mined. */
  | { kind: "missing" }
  /** Mined, not yet with the chain's required confirmations. */
  | { kind: "waiting"; hash: string }
  /** Final: `hash` is whichever of its transactions was mined; `feePaid` what it cost the sender. */
  | {
      kind: "final";
      hash: string;
      success: boolean;
      gasUsed: bigint;
      feePaid: bigint;
      value: bigint;
      /** The mined receipt: a token transfer reads what was received from its Transfer logs. */
      receipt: TransactionReceipt;
    };

/**
 * Watches one outgoing transaction: the receipt of its current or of any replaced transaction (they
 * share the nonce, at most one is ever mined). Once it has the chain's required confirmations, the
 * row records the outcome (confirmed / reverted), the mined hash and the fee actually paid —
 * gasUsed × effectiveGasPrice plus the L1 data fee on OP-stack chains — and `final` is returned.
 */
export async function watchOutgoingTransaction(
  db: Db | Tx,
  client: Pick<ChainClient, "getTransactionReceipt" | "getBlockNumber" | "getTransaction">,
  chain: Pick<TChain, "confirmations">,
  params: { id: string; now: Date; row?: WatchedRow },
): Promise<OutgoingOutcome> {
  const row =
    params.row ??
    (await db.outgoingTransaction.findUniqueOrThrow({ where: { id: params.id }, select: WATCHED_SELECT }));
  const receipt = await minedReceipt(client, [row.txHash, ...row.replacedTxHashes]);
  if (!receipt) return { kind: "missing" };
  const head = await client.getBlockNumber({ cacheTime: 0 });
  if (head - receipt.blockNumber + 1n < BigInt(chain.confirmations))
    return { kind: "waiting", hash: receipt.transactionHash };
  const feePaid = paidFee(receipt, BigInt(row.l1Fee.toFixed()));
  // A replaced transaction may be the one mined, with its own value (a native sweep's).
  const value =
    receipt.transactionHash === row.txHash
      ? BigInt(row.value.toFixed())
      : (await client.getTransaction({ hash: receipt.transactionHash })).value;
  const success = receipt.status === "success";
  await db.outgoingTransaction.update({
    where: { id: params.id },
    data: {
      status: success ? "confirmed" : "reverted",
      txHash: receipt.transactionHash,
      replacedTxHashes: [row.txHash, ...row.replacedTxHashes].filter(
        (hash) => hash !== receipt.transactionHash,
      ),
      value: value.toString(),
      feePaid: feePaid.toString(),
      confirmedAt: params.now,
      lastError: success ? null : `transaction ${receipt.transactionHash} reverted`,
    },
  });
  return {
    kind: "final",
    hash: receipt.transactionHash,
    success,
    gasUsed: receipt.gasUsed,
    feePaid,
    value,
    receipt,
  };
}
