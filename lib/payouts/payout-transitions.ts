// The bookkeeping steps shared by signing, confirming and replacing payouts (run-payouts.ts,
// confirm-sent-payouts.ts, replace-stuck-payouts.ts).
import type { Address } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db, Tx } from "../db/client";
import type { TEventType } from "../events/event-object";
import { recordEvent } from "../events/record-event";
import { notifyPayoutsPaused } from "../notifications/notify";
import { broadcastRawTransaction } from "../transactions/broadcast-raw-transaction";
import type { FeeFields } from "../transactions/fees/transaction-cost";
import { outgoingTransactionOf } from "../transactions/outgoing-transaction-of";
import { nowOf, type TransactionDeps } from "../transactions/transaction-deps";
import { GasTankEmptyError, planGasTopUp } from "./hot-wallet-gas";
import { PAYOUT_SELECT, serializePayout } from "./payout-object";
import { returnPayoutFunds } from "./return-payout-funds";

/**
 * Tops a hot wallet up for its token payouts waiting for gas (planGasTopUp) and broadcasts it; when
 * the gas tank is empty, those payouts stay approved with the reason as `last_error`.
 */
export async function requestGasTopUp(
  deps: TransactionDeps,
  client: ChainClient,
  chain: TChain,
  params: {
    merchantId: string;
    hotWallet: Address;
    needed: bigint;
    fees: FeeFields;
    broadcast?: boolean;
  },
): Promise<void> {
  try {
    const rawTx = await deps.db.$transaction((tx) => planGasTopUp(deps, tx, client, chain, params), {
      timeout: 60_000,
    });
    if (rawTx && params.broadcast !== false) await broadcastRawTransaction(client, rawTx);
  } catch (error) {
    if (!(error instanceof GasTankEmptyError)) throw error;
    await deps.db.payout.updateMany({
      where: {
        merchantId: params.merchantId,
        chain: chain.name,
        status: "approved",
        rawTx: null,
        tokenAddress: { not: null },
      },
      data: { lastError: error.message },
    });
    await notifyPayoutsPaused(
      deps.db,
      { merchantId: params.merchantId, chain: chain.name, gasTankEmpty: true },
      error.message,
      nowOf(deps),
    );
  }
}

export async function failPayout(
  deps: TransactionDeps,
  tx: Tx,
  chain: TChain,
  payoutId: string,
  reason: string,
  feeSpent = 0n,
): Promise<void> {
  const now = nowOf(deps);
  await tx.payout.update({
    where: { id: payoutId },
    data: { status: "failed", lastError: reason.slice(0, 500) },
  });
  await returnPayoutFunds(tx, payoutId, {
    reason: `payout failed: ${reason}`.slice(0, 500),
    feeSpent,
    createdAt: now,
  });
  await recordPayoutEvent(deps, tx, chain, payoutId, "payout.failed", now);
}

export async function recordPayoutEvent(
  deps: TransactionDeps,
  tx: Tx,
  _chain: TChain,
  payoutId: string,
  type: TEventType,
  createdAt: Date,
): Promise<void> {
  const row = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: { ...PAYOUT_SELECT, merchantId: true },
  });
  await recordEvent(tx, {
    merchantId: row.merchantId,
    type,
    objectId: payoutId,
    object: serializePayout(deps.chains, row),
    createdAt,
  });
}

/** What a sent payout recorded of its transaction (for one signed before the engine existed). */
export function recordedOf(
  deps: TransactionDeps,
  payout: { rawTx: string | null; replacedTxHashes: string[]; sentAt: Date | null },
) {
  return {
    rawTx: payout.rawTx ?? "",
    replacedTxHashes: payout.replacedTxHashes,
    signedAt: payout.sentAt ?? nowOf(deps),
  };
}

/** The engine's row of a sent payout (adopting one signed before the engine existed). */
export function payoutTransactionOf(
  deps: TransactionDeps,
  chain: TChain,
  payout: { id: string; rawTx: string | null; replacedTxHashes: string[]; sentAt: Date | null },
  db: Db | Tx = deps.db,
): Promise<string> {
  return outgoingTransactionOf(db, {
    chain: chain.name,
    purpose: "payout",
    ownerId: payout.id,
    recorded: recordedOf(deps, payout),
  });
}
