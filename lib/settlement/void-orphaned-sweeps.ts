import type { Hash } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { Db } from "../db/client";

/**
 * After a reorg took a settled payment's funds off the chain: its sweep's transactions (mined
 * after the payment's transfer) went with them. A confirmed sweep whose transaction the chain no
 * longer has is marked failed with nothing moved and no gas spent (top-up included, when that is
 * gone too), so reconciliation reads what the chain holds. Returns the sweeps voided.
 */
export async function voidOrphanedSweeps(
  deps: { db: Db; client: Pick<ChainClient, "getTransactionReceipt"> },
  paymentIds: readonly string[],
): Promise<string[]> {
  if (paymentIds.length === 0) return [];
  const sweeps = await deps.db.sweep.findMany({
    where: { paymentId: { in: [...paymentIds] }, status: "confirmed" },
    select: { id: true, chain: true, txHash: true, gasFundTxHash: true, fromAddress: true, nonce: true },
  });
  const voided: string[] = [];
  for (const sweep of sweeps) {
    if (!sweep.txHash || (await onChain(deps.client, sweep.txHash))) continue;
    const topUpGone = sweep.gasFundTxHash !== null && !(await onChain(deps.client, sweep.gasFundTxHash));
    await deps.db.sweep.update({
      where: { id: sweep.id },
      data: {
        status: "failed",
        amount: "0",
        fee: "0",
        gasUsed: null,
        ...(topUpGone ? { gasFundAmount: null, gasFundFee: null, gasFundGasUsed: null } : {}),
        lastError: `sweep transaction ${sweep.txHash} left the chain in a reorganisation (reorged_after_settlement)`,
      },
    });
    // The deposit address's orphaned transaction gives its nonce back (nothing else signs for it).
    if (sweep.nonce !== null)
      await deps.db.chainAccountNonce.updateMany({
        where: { chain: sweep.chain, address: sweep.fromAddress, nextNonce: sweep.nonce + 1 },
        data: { nextNonce: sweep.nonce },
      });
    voided.push(sweep.id);
  }
  return voided;
}

async function onChain(client: Pick<ChainClient, "getTransactionReceipt">, hash: string): Promise<boolean> {
  try {
    await client.getTransactionReceipt({ hash: hash as Hash });
    return true;
  } catch (error) {
    if (/not found|could not be found/i.test(String(error))) return false;
    throw error;
  }
}
