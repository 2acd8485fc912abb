// The outcome of a sweep's transaction in flight, read by the engine's watcher
// (watchOutgoingTransaction): once it has the chain's required confirmations, the fee actually paid
// (gas used × effective price, plus the L1 data fee on OP-stack chains) is booked and the sweep moves
// on; a transaction not mined is replaced once stuck (replace-stuck-sweep.ts).
import { getAddress } from "viem";
import { postLedgerEntry } from "../balances/post-ledger-entry";
import { minedReceipt } from "../chains/mined-receipt";
import { AppError } from "../errors";
import { readTokenTransfer } from "../transactions/tokens/read-token-transfer";
import { nowOf } from "../transactions/transaction-deps";
import { watchOutgoingTransaction } from "../transactions/watch-outgoing-transaction";
import { replaceStuckSweepTransaction } from "./replace-stuck-sweep";
import { settlePaymentIfSwept } from "./settle-payment";
import { tokenOfCoin } from "./sweep-coins";
import { inFlightTransactionOf, type SweepLeg, type SweepStep, wei } from "./sweep-step";

/** Watches the leg's transaction: final → the outcome; not mined → replaced once stuck; else null. */
async function watchLeg(step: SweepStep, leg: SweepLeg) {
  const id = await inFlightTransactionOf(step, leg);
  const outcome = await watchOutgoingTransaction(step.tx, step.client, step.chain, {
    id,
    now: nowOf(step.deps),
  });
  if (outcome.kind === "missing") await replaceStuckSweepTransaction(step, leg, id);
  return outcome.kind === "final" ? outcome : null;
}

export async function confirmGasTopUp(step: SweepStep): Promise<void> {
  const { tx, sweep } = step;
  const outcome = await watchLeg(step, "gas_fund");
  if (!outcome) return;
  const fee = outcome.feePaid;
  const done = {
    // The mined transaction may be one a replacement superseded.
    gasFundTxHash: outcome.hash,
    gasFundTxHashes: [...sweep.gasFundTxHashes, outcome.hash],
    gasFundFee: (wei(sweep.gasFundFee) + fee).toString(),
    fee: (wei(sweep.fee) + fee).toString(),
    inFlightSince: null,
    replacedTxHashes: [],
  };
  if (outcome.success) {
    await tx.sweep.update({
      where: { id: sweep.id },
      data: { ...done, status: "gas_funded", gasFundGasUsed: outcome.gasUsed, lastError: null },
    });
    return;
  }
  // A reverted top-up moved no value (its gas is still paid): the total sent goes back down.
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      ...done,
      status: "pending",
      gasFundAmount: (wei(sweep.gasFundAmount) - outcome.value).toString(),
      gasFundRawTx: null,
      gasFundTxHash: null,
      gasFundNonce: null,
      attempts: sweep.attempts + 1,
      lastError: `gas top-up ${outcome.hash} reverted; retrying`,
    },
  });
}

export async function confirmSweep(step: SweepStep): Promise<void> {
  const { tx, sweep } = step;
  const outcome = await watchLeg(step, "sweep");
  if (!outcome) return;
  const txHash = outcome.hash;
  // An earlier, replaced transaction may be the one mined: it is the sweep (a native one with its
  // own amount).
  const amount = sweep.tokenAddress ? wei(sweep.amount) : outcome.value;
  const total = wei(sweep.fee) + outcome.feePaid;
  // What reached the destination, from the receipt's Transfer logs (never a return value): less
  // than sent for a fee-on-transfer token; nothing when a token answered `false` without reverting.
  const received = sweep.tokenAddress
    ? readTokenTransfer(outcome.receipt, {
        token: getAddress(sweep.tokenAddress),
        from: getAddress(sweep.fromAddress),
        to: getAddress(sweep.toAddress),
      }).received
    : amount;
  if (!outcome.success || received === 0n) {
    // Never settled: the funds did not move. Back to the start, the next attempt re-reads balances.
    await tx.sweep.update({
      where: { id: sweep.id },
      data: {
        status: "pending",
        fee: total.toString(),
        rawTx: null,
        txHash: null,
        nonce: null,
        amount: "0",
        inFlightSince: null,
        replacedTxHashes: [],
        revertedTxHashes: [...sweep.revertedTxHashes, txHash],
        attempts: sweep.attempts + 1,
        lastError: `sweep transaction ${txHash} ${outcome.success ? "moved no tokens" : "reverted"}; retrying`,
      },
    });
    return;
  }
  const now = nowOf(step.deps);
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "confirmed",
      txHash,
      amount: amount.toString(),
      amountReceived: received.toString(),
      gasUsed: outcome.gasUsed,
      fee: total.toString(),
      confirmedAt: now,
      inFlightSince: null,
      replacedTxHashes: [],
      lastError: null,
    },
  });
  if (sweep.transfer) {
    await creditAcceptedTransfer(step, { txHash, received, now });
    return;
  }
  await settlePaymentIfSwept(tx, {
    paymentId: sweep.paymentId,
    chains: step.deps.chains,
    baseUrl: step.options.baseUrl ?? "",
    now,
  });
}

/**
 * An accepted unattributed transfer swept to a balance-mode merchant's hot wallet: what arrived is
 * credited once (`transfer_accepted`, its gross the transfer's amount, its fee what moving it cost),
 * in the sweep's confirming transaction. A refund or a treasury sweep credits nothing.
 */
async function creditAcceptedTransfer(
  step: SweepStep,
  sweep: { txHash: string; received: bigint; now: Date },
): Promise<void> {
  const { transfer, mode } = step.sweep;
  if (transfer?.resolution !== "accepted" || mode !== "balance") return;
  const token = tokenOfCoin(step.deps.chains, step.sweep);
  if (!token) throw new AppError("internal_error", `sweep ${step.sweep.id}: its coin is not configured`);
  const gross = wei(transfer.amount);
  const net = sweep.received;
  await postLedgerEntry(step.tx, {
    merchantId: step.sweep.merchantId,
    chain: step.sweep.chain,
    tokenSymbol: token.symbol,
    type: "transfer_accepted",
    amount: net,
    split: gross > net ? { gross, fee: gross - net } : { gross: net, fee: 0n },
    paymentId: step.sweep.paymentId,
    transferId: step.sweep.transferId,
    description: `accepted transfer ${transfer.txHash}, swept to the hot wallet in ${sweep.txHash}`,
    createdAt: sweep.now,
  });
}

/**
 * After the extra top-up for a stuck ERC-20 transfer (or a retry of it): the transfer is in flight
 * again, either because one of its transactions was mined meanwhile (whichever it is becomes the
 * sweep's transaction) or replaced with the same nonce at the higher fee.
 */
export async function resumeStuckTransfer(step: SweepStep): Promise<void> {
  const { tx, sweep } = step;
  const [hash, ...earlier] = sweep.stuckTransferTxHashes;
  if (!hash || hash !== sweep.txHash)
    throw new AppError("internal_error", `sweep ${sweep.id}: the stuck transfer is not recorded`);
  const transfer = { ...step, sweep: { ...sweep, replacedTxHashes: earlier } };
  const id = await inFlightTransactionOf(transfer, "sweep");
  if (!(await minedReceipt(step.client, [hash, ...earlier])))
    return replaceStuckSweepTransaction(transfer, "sweep", id);
  const resumed = {
    status: "transferring" as const,
    replacedTxHashes: earlier,
    stuckTransferTxHashes: [],
    inFlightSince: nowOf(step.deps),
  };
  await tx.sweep.update({ where: { id: sweep.id }, data: resumed });
  await confirmSweep({ ...step, sweep: { ...sweep, ...resumed } });
}
