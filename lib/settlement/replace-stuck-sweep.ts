// A sweep's transaction not mined after the chain's stuck timeout is replaced by the engine
// (replaceOwnedTransaction: the chain's policy, a ≥ 12.5 % bump of both fees, its fee ceiling and
// maximum number of replacements, then `paused` with a reason and an alert). The sweep says only what
// differs: a native sweep sends its balance less the new fee; a top-up sends the same value and the
// gas tank must afford it; an ERC-20 transfer whose deposit cannot pay the higher fee first gets the
// difference from the gas tank.
import { getAddress, type Hex, parseTransaction } from "viem";
import { notifySweepsPaused } from "../notifications/notify";
import { maxPricePerGas } from "../transactions/fees/transaction-cost";
import { transactionPolicyOf } from "../transactions/fees/transaction-policy";
import { type ReplaceOutcome, replacedCopyOf } from "../transactions/replace-stuck-transaction";
import { type OwnedReplacement, replaceOwnedTransaction } from "../transactions/replace-stuck-transactions";
import { gasTankSigner } from "../transactions/signing-accounts";
import { nowOf, stuckAfterMsOf } from "../transactions/transaction-deps";
import { gasTopUpFields, signGasTopUp, withMaxPrice } from "./sign-sweep";
import {
  depositSignerOf,
  GasTankInsufficientError,
  SweepBlockedError,
  type SweepLeg,
  type SweepStep,
} from "./sweep-step";

type TopUpNeed = { topUp: bigint; message: string };

/**
 * Replaces the leg's transaction `id` once stuck (recorded, the sweep's copy updated, broadcast by
 * the caller after commit). A stuck ERC-20 transfer whose deposit holds too little gas for the
 * replacement is topped up first (topUpStuckTransfer) and replaced after that top-up is mined.
 */
export async function replaceStuckSweepTransaction(
  step: SweepStep,
  leg: SweepLeg,
  id: string,
): Promise<void> {
  const { deps, tx, client, chain } = step;
  const waiting: { topUp?: TopUpNeed } = {};
  const outcome = await replaceOwnedTransaction(deps, tx, client, chain, {
    ...replacementOf(step, leg, id, (topUp) => {
      waiting.topUp = topUp;
    }),
    record: (tx, outcome) => recordReplacement({ ...step, tx }, leg, outcome),
  });
  if (outcome.kind === "waiting" && waiting.topUp) await topUpStuckTransfer(step, waiting.topUp);
}

function replacementOf(
  step: SweepStep,
  leg: SweepLeg,
  id: string,
  needsTopUp: (need: TopUpNeed) => void,
): OwnedReplacement {
  const { client, sweep, chain } = step;
  if (leg === "gas_fund") {
    const signer = gasTankSigner(step.deps.mnemonic);
    return {
      id,
      signer,
      beforeSign: async ({ maxCost }) => {
        const tank = await client.getBalance({ address: signer.address, blockTag: "latest" });
        const value = sweep.gasFundRawTx ? (parseTransaction(sweep.gasFundRawTx as Hex).value ?? 0n) : 0n;
        if (tank < value + maxCost)
          throw new GasTankInsufficientError(
            `gas tank ${signer.address} on ${chain.name} cannot pay the replacement of stuck top-up ` +
              `${sweep.gasFundTxHash}: fund it`,
          );
        return true;
      },
    };
  }
  const signer = depositSignerOf(step);
  const deposit = getAddress(sweep.fromAddress);
  const depositBalance = () => client.getBalance({ address: deposit, blockTag: "latest" });
  if (!sweep.tokenAddress)
    return {
      id,
      signer,
      replacementValue: async ({ maxCost }) => {
        const balance = await depositBalance();
        if (balance <= maxCost)
          throw new SweepBlockedError(
            `stuck sweep ${sweep.txHash}: the deposit cannot pay a higher fee; waiting`,
          );
        return balance - maxCost;
      },
    };
  return {
    id,
    signer,
    // After the extra top-up the deposit affords exactly the fee it was topped up for: spent at that
    // max fee even if the quote fell meanwhile (what a lower one left would stay at the deposit for
    // good), never above the chain's ceiling.
    raiseFees: async (fees) => {
      const row = await step.tx.outgoingTransaction.findUniqueOrThrow({
        where: { id },
        select: { gasLimit: true, l1Fee: true },
      });
      const gas = BigInt(row.gasLimit.toFixed());
      const spendable = (await depositBalance()) - BigInt(row.l1Fee.toFixed());
      const affordable = gas > 0n && spendable > 0n ? spendable / gas : 0n;
      const price = maxPricePerGas(fees);
      // A legacy gas price is what the transaction pays: never raised beyond the policy's.
      if (affordable <= price || fees.type === "legacy") return fees;
      const ceiling = transactionPolicyOf(chain).maxFeePerGas;
      return withMaxPrice(fees, ceiling !== null && affordable > ceiling ? ceiling : affordable);
    },
    beforeSign: async ({ maxCost }) => {
      const balance = await depositBalance();
      if (balance >= maxCost) return true;
      needsTopUp({
        topUp: maxCost - balance,
        message:
          `transfer ${sweep.txHash} not mined; its replacement needs ${maxCost} wei of gas at the deposit, ` +
          `which holds ${balance}`,
      });
      return false;
    },
  };
}

/** The sweep's copy of a replaced transaction (or the reason its transaction is paused). */
async function recordReplacement(step: SweepStep, leg: SweepLeg, outcome: ReplaceOutcome): Promise<void> {
  const { tx, sweep } = step;
  // Past the policy: the reason (an operator is needed) is the sweep's too.
  if (outcome.kind === "paused") {
    await tx.sweep.update({ where: { id: sweep.id }, data: { lastError: outcome.reason } });
    await notifySweepsPaused(tx, sweep, outcome.code, outcome.reason, nowOf(step.deps));
  }
  if (outcome.kind !== "replaced") return;
  const copy = replacedCopyOf(outcome);
  const lastError =
    outcome.nonceTaken !== null
      ? `nonce ${outcome.nonceTaken} of ${getAddress(leg === "gas_fund" ? gasTankSigner(step.deps.mnemonic).address : sweep.fromAddress)} ` +
        `was taken by a transaction not sent by this sweep; re-signed with nonce ${outcome.nonce}`
      : `transaction ${outcome.replacedHash} not mined after ${stuckAfterMsOf(step.deps, step.chain) / 1000} s; ` +
        `replaced at ${maxPricePerGas(outcome.fees)} wei/gas`;
  const inFlight = { replacedTxHashes: copy.replacedTxHashes, inFlightSince: nowOf(step.deps), lastError };
  await tx.sweep.update({
    where: { id: sweep.id },
    data:
      leg === "gas_fund"
        ? { ...inFlight, gasFundRawTx: copy.rawTx, gasFundTxHash: copy.txHash, gasFundNonce: copy.nonce }
        : {
            ...inFlight,
            status: "transferring",
            rawTx: copy.rawTx,
            txHash: copy.txHash,
            nonce: copy.nonce,
            amount: sweep.tokenAddress ? undefined : outcome.value.toString(),
            stuckTransferTxHashes: [],
            pausedReason: null,
          },
  });
}

/**
 * The deposit of a stuck ERC-20 transfer holds the gas of the original fee, not of the
 * replacement's: the gas tank sends the difference first (signed and recorded before broadcast, so
 * a restart re-sends the same top-up, never a second one). The transfer's hashes are kept: it may
 * still be mined while the top-up is in flight, and resumeStuckTransfer then records it.
 */
async function topUpStuckTransfer(step: SweepStep, need: TopUpNeed): Promise<void> {
  const { tx, sweep } = step;
  const signed = await signGasTopUp(step, need.topUp);
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "funding_gas",
      ...gasTopUpFields(step, need.topUp, signed),
      stuckTransferTxHashes: [sweep.txHash ?? "", ...sweep.replacedTxHashes],
      lastError: `${need.message}: the gas tank tops it up by ${need.topUp} wei`,
    },
  });
}
