// The sweep state machine (DESIGN.md "Settlement"):
//   native: pending → transferring → confirmed (+ payment settled)
//   ERC-20: pending → funding_gas → gas_funded → transferring → confirmed (+ payment settled)
// The sweep says what to send; the outgoing-transaction engine (lib/transactions) signs it with the
// chain's fee quote and nonce allocator, records it (raw bytes) in a committed database transaction
// BEFORE it is broadcast — a crash after recording re-broadcasts the very same bytes, so a sweep can
// never send twice —, watches it to the chain's confirmations and replaces it when stuck. Each step
// locks the sweep row with FOR UPDATE SKIP LOCKED, so two runners never work on the same sweep at
// once; re-broadcasting the same raw transaction is harmless anyway.

import { minedReceipt } from "../chains/mined-receipt";
import { shortMessage } from "../chains/rpc-error";
import type { SweepStatus } from "../db/generated/enums";
import { AppError } from "../errors";
import { notifySweepsPaused } from "../notifications/notify";
import { broadcastRawTransaction } from "../transactions/broadcast-raw-transaction";
import { clientOf, nowOf, type TransactionDeps } from "../transactions/transaction-deps";
import { confirmGasTopUp, confirmSweep, resumeStuckTransfer } from "./confirm-sweep";
import { planSweepGasTopUp, signNativeSweep, signTokenSweep } from "./sign-sweep";
import { sweepOrderBlock } from "./sweep-coins";
import {
  type AdvanceSweepOptions,
  GasTankInsufficientError,
  SWEEP_SELECT,
  SweepBlockedError,
  type SweepStep,
  TokenBlockedError,
} from "./sweep-step";

export type AdvanceSweepResult = {
  sweepId: string;
  status: SweepStatus;
  /** Another runner holds the sweep right now; nothing was done. */
  busy: boolean;
  lastError: string | null;
};

/**
 * Moves one sweep forward as far as it can without waiting for the chain: records and broadcasts
 * the next transaction, or confirms the one in flight. Safe to call any number of times, from any
 * number of processes.
 */
export async function advanceSweep(
  deps: TransactionDeps,
  sweepId: string,
  options: AdvanceSweepOptions = {},
): Promise<AdvanceSweepResult> {
  let previous: SweepStatus | null = null;
  for (let step = 0; step < 8; step++) {
    const result = await recordSweepTransaction(deps, sweepId, options);
    if (result.busy) return result;
    if (result.status === "funding_gas" || result.status === "transferring") {
      const broadcast = await broadcastSweepTransaction(deps, sweepId);
      if (broadcast.error) return { ...result, lastError: broadcast.error };
      // With fast blocks the transaction may already have its confirmations.
      const after = await recordSweepTransaction(deps, sweepId, options);
      if (after.busy || after.status === result.status) return after;
      previous = after.status;
      continue;
    }
    // Settled, failed, or no progress since the last pass (e.g. waiting for the gas tank).
    if (result.status === "confirmed" || result.status === "failed" || result.status === previous)
      return result;
    previous = result.status;
  }
  return readResult(deps, sweepId, false);
}

/**
 * One locked step of the state machine: signs and records the next transaction (pending,
 * gas_funded), or, for a transaction in flight (funding_gas, transferring), records its outcome
 * when it has the chain's required confirmations, or replaces it when stuck. Never broadcasts.
 */
export async function recordSweepTransaction(
  deps: TransactionDeps,
  sweepId: string,
  options: AdvanceSweepOptions = {},
): Promise<AdvanceSweepResult> {
  try {
    const busy = await deps.db.$transaction(
      async (tx) => {
        const [locked] = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM sweeps WHERE id = ${sweepId} FOR UPDATE SKIP LOCKED`;
        if (!locked) return true;
        const sweep = await tx.sweep.findUniqueOrThrow({ where: { id: sweepId }, select: SWEEP_SELECT });
        const chain = deps.chains.find((candidate) => candidate.name === sweep.chain);
        if (!chain)
          throw new AppError("internal_error", `sweep ${sweepId}: chain ${sweep.chain} is not configured`);
        try {
          await nextStep({ deps, tx, client: clientOf(deps, chain), chain, sweep, options });
        } catch (error) {
          if (!(error instanceof SweepBlockedError)) throw error;
          await tx.sweep.update({
            where: { id: sweepId },
            data: {
              lastError: error.message,
              pausedReason:
                error instanceof GasTankInsufficientError
                  ? "gas_tank_insufficient"
                  : error instanceof TokenBlockedError
                    ? error.reason
                    : null,
            },
          });
          if (error instanceof GasTankInsufficientError || error instanceof TokenBlockedError)
            await notifySweepsPaused(
              tx,
              sweep,
              error instanceof TokenBlockedError ? error.reason : "gas_tank_insufficient",
              error.message,
              nowOf(deps),
            );
        }
        return false;
      },
      { timeout: 60_000 },
    );
    return readResult(deps, sweepId, busy);
  } catch (error) {
    // RPC or database failure: keep the sweep where it is, say why, and let the caller retry.
    await deps.db.sweep
      .update({ where: { id: sweepId }, data: { lastError: shortMessage(error) } })
      .catch(() => undefined);
    throw error;
  }
}

async function readResult(
  deps: TransactionDeps,
  sweepId: string,
  busy: boolean,
): Promise<AdvanceSweepResult> {
  const row = await deps.db.sweep.findUniqueOrThrow({
    where: { id: sweepId },
    select: { status: true, lastError: true },
  });
  return { sweepId, status: row.status, busy, lastError: row.lastError };
}

async function nextStep(step: SweepStep): Promise<void> {
  const { sweep } = step;
  if (sweep.status === "pending" && sweep.stuckTransferTxHashes.length === 0) {
    const blocked = await sweepOrderBlock(step.tx, sweep);
    if (blocked) throw new SweepBlockedError(blocked);
  }
  // A stuck ERC-20 transfer waiting for the extra top-up that pays for its replacement.
  if ((sweep.status === "pending" || sweep.status === "gas_funded") && sweep.stuckTransferTxHashes.length > 0)
    return resumeStuckTransfer(step);
  switch (sweep.status) {
    case "pending":
      return sweep.tokenAddress ? planSweepGasTopUp(step) : signNativeSweep(step);
    case "gas_funded":
      return signTokenSweep(step);
    case "funding_gas":
      return confirmGasTopUp(step);
    case "transferring":
      return confirmSweep(step);
    case "confirmed":
    case "failed":
      return Promise.resolve();
  }
}

export type BroadcastResult = { mined: boolean; error: string | null };

/**
 * (Re-)broadcasts the transaction in flight, exactly the recorded bytes, unless it is already
 * mined. "Already known" and "nonce too low" mean it is in the pool or mined: not an error.
 */
export async function broadcastSweepTransaction(
  deps: TransactionDeps,
  sweepId: string,
): Promise<BroadcastResult> {
  const sweep = await deps.db.sweep.findUniqueOrThrow({
    where: { id: sweepId },
    select: { chain: true, status: true, gasFundRawTx: true, gasFundTxHash: true, rawTx: true, txHash: true },
  });
  const inFlight =
    sweep.status === "funding_gas"
      ? { raw: sweep.gasFundRawTx, hash: sweep.gasFundTxHash }
      : sweep.status === "transferring"
        ? { raw: sweep.rawTx, hash: sweep.txHash }
        : null;
  if (!inFlight?.raw || !inFlight.hash) return { mined: false, error: null };
  const chain = deps.chains.find((candidate) => candidate.name === sweep.chain);
  if (!chain) throw new AppError("internal_error", `chain ${sweep.chain} is not configured`);
  const client = clientOf(deps, chain);
  if (await minedReceipt(client, [inFlight.hash])) return { mined: true, error: null };
  const outcome = await broadcastRawTransaction(client, inFlight.raw);
  if (outcome.kind !== "failed") return { mined: false, error: null };
  // A transaction paused past the replacement policy keeps its reason for the operator.
  const paused = await deps.db.outgoingTransaction.count({
    where: { txHash: inFlight.hash, status: "paused" },
  });
  if (paused === 0)
    await deps.db.sweep.update({
      where: { id: sweepId },
      data: { lastError: `broadcast failed: ${outcome.message}` },
    });
  return { mined: false, error: outcome.message };
}
