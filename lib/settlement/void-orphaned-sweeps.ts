import type { Hash, Hex } from "viem";
import type { ChainClient } from "../chains/public-client";
import { isAlreadyInPool, shortMessage } from "../chains/rpc-error";
import type { Db } from "../db/client";

/**
 * After a reorg took a settled payment's funds off the chain: its sweep's transactions (mined
 * after the payment's transfer) went with them. A confirmed sweep whose transaction the chain no
 * longer has is marked failed with nothing moved and no gas spent (top-up included, when that is
 * gone too), so reconciliation reads what the chain holds. Returns the sweeps voided.
 *
 * A gas top-up the chain lost is sent again, the same signed bytes: the gas tank's later
 * transactions have the nonces after it, and would wait behind the gap forever. The topped-up gas
 * then stays at the deposit address (reconciliation counts it there). Only if the node refuses it
 * (e.g. the nonce was taken on the new chain) is the top-up voided too.
 */
export async function voidOrphanedSweeps(
  deps: { db: Db; client: Pick<ChainClient, "getTransactionReceipt" | "sendRawTransaction"> },
  paymentIds: readonly string[],
  /** The reorganised chain: a payment paid in several coins keeps its sweeps on other chains. */
  chain?: string,
): Promise<string[]> {
  if (paymentIds.length === 0) return [];
  const sweeps = await deps.db.sweep.findMany({
    where: { paymentId: { in: [...paymentIds] }, status: "confirmed", ...(chain ? { chain } : {}) },
    select: {
      id: true,
      chain: true,
      txHash: true,
      gasFundTxHash: true,
      gasFundRawTx: true,
      gasFundFee: true,
      fromAddress: true,
      nonce: true,
    },
  });
  const voided: string[] = [];
  for (const sweep of sweeps) {
    if (!sweep.txHash || (await onChain(deps.client, sweep.txHash))) continue;
    const topUpGone = sweep.gasFundTxHash !== null && !(await onChain(deps.client, sweep.gasFundTxHash));
    const resent = topUpGone ? await sendAgain(deps.client, sweep.gasFundRawTx) : null;
    const topUpVoided = topUpGone && resent !== null;
    await deps.db.sweep.update({
      where: { id: sweep.id },
      data: {
        status: "failed",
        amount: "0",
        // The gas tank's top-up, when it stands, is still paid; the deposit address paid nothing.
        fee: topUpVoided ? "0" : (sweep.gasFundFee ?? "0"),
        gasUsed: null,
        ...(topUpVoided ? { gasFundAmount: null, gasFundFee: null, gasFundGasUsed: null } : {}),
        lastError:
          `sweep transaction ${sweep.txHash} left the chain in a reorganisation (reorged_after_settlement)` +
          (topUpGone
            ? resent
              ? `; its gas top-up could not be sent again: ${resent}`
              : "; its gas top-up was sent again"
            : ""),
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

/** Re-broadcasts recorded bytes; null when the node took them (or already has them), else why not. */
async function sendAgain(
  client: Pick<ChainClient, "sendRawTransaction">,
  raw: string | null,
): Promise<string | null> {
  if (!raw) return "no signed bytes recorded";
  try {
    await client.sendRawTransaction({ serializedTransaction: raw as Hex });
    return null;
  } catch (error) {
    // "nonce too low" here is not a success: the receipt is gone, so another transaction took it.
    return isAlreadyInPool(error) ? null : shortMessage(error);
  }
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
