// What every step of the sweep state machine (advance-sweep.ts) works on: the locked sweep row, its
// chain and client, the database transaction, and the errors that pause a sweep.
import { getAddress } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { SweepStatus } from "../db/generated/enums";
import { AppError } from "../errors";
import { outgoingTransactionOf } from "../transactions/outgoing-transaction-of";
import { depositSigner } from "../transactions/signing-accounts";
import type { TokenBlockReason } from "../transactions/tokens/classify-token-refusal";
import { nowOf, type TransactionDeps } from "../transactions/transaction-deps";

export type AdvanceSweepOptions = {
  /** Base URL of checkout links in the payment.settled event's payment object. */
  baseUrl?: string;
};

export const SWEEP_SELECT = {
  id: true,
  merchantId: true,
  paymentId: true,
  chain: true,
  tokenAddress: true,
  fromAddress: true,
  toAddress: true,
  mode: true,
  status: true,
  amount: true,
  gasFundAmount: true,
  gasFundFee: true,
  gasFundTxHash: true,
  gasFundRawTx: true,
  txHash: true,
  rawTx: true,
  fee: true,
  attempts: true,
  lastError: true,
  gasFundNonce: true,
  nonce: true,
  inFlightSince: true,
  replacedTxHashes: true,
  stuckTransferTxHashes: true,
  gasFundTxHashes: true,
  revertedTxHashes: true,
  payment: { select: { derivationAccount: true, derivationIndex: true, tokenSymbol: true } },
  transferId: true,
  transfer: { select: { txHash: true, amount: true, status: true, resolution: true } },
} as const;

type Decimal = { toFixed(): string };

export type SweepRow = {
  id: string;
  merchantId: string;
  paymentId: string;
  chain: string;
  tokenAddress: string | null;
  fromAddress: string;
  toAddress: string;
  mode: "treasury" | "balance";
  status: SweepStatus;
  amount: Decimal;
  gasFundAmount: Decimal | null;
  gasFundFee: Decimal | null;
  gasFundTxHash: string | null;
  gasFundRawTx: string | null;
  txHash: string | null;
  rawTx: string | null;
  fee: Decimal;
  attempts: number;
  lastError: string | null;
  gasFundNonce: number | null;
  nonce: number | null;
  inFlightSince: Date | null;
  replacedTxHashes: string[];
  stuckTransferTxHashes: string[];
  gasFundTxHashes: string[];
  revertedTxHashes: string[];
  payment: { derivationAccount: number; derivationIndex: number; tokenSymbol: string };
  /** The resolved unattributed transfer this sweep moves (exactly its amount), or null. */
  transferId: string | null;
  transfer: {
    txHash: string;
    amount: Decimal;
    status: "confirming" | "confirmed" | "reverted";
    resolution: "accepted" | "refunded" | null;
  } | null;
};

/** One step of one sweep, inside the database transaction that holds the sweep's row lock. */
export type SweepStep = {
  deps: TransactionDeps;
  tx: Tx;
  client: ChainClient;
  chain: TChain;
  sweep: SweepRow;
  options: AdvanceSweepOptions;
};

/** A sweep cannot progress until something outside changes (gas tank funded, balance arrives). */
export class SweepBlockedError extends Error {
  override name = "SweepBlockedError";
}

/** The gas tank cannot pay a top-up: the sweep is paused (health, metrics) until it is funded. */
export class GasTankInsufficientError extends SweepBlockedError {
  override name = "GasTankInsufficientError";
}

/** The token refuses the transfer (paused, blacklisted): the sweep is paused with that reason. */
export class TokenBlockedError extends SweepBlockedError {
  override name = "TokenBlockedError";
  constructor(
    readonly reason: TokenBlockReason,
    message: string,
  ) {
    super(message);
  }
}

/** The two transactions of a sweep: the gas tank's top-up (ERC-20 only) and the sweep itself. */
export type SweepLeg = "gas_fund" | "sweep";

/**
 * The engine's row (lib/transactions) of the sweep's transaction in flight on `leg`. A sweep signed
 * before the engine existed is adopted from the bytes recorded on it.
 */
export async function inFlightTransactionOf(step: SweepStep, leg: SweepLeg): Promise<string> {
  const { sweep } = step;
  const rawTx = leg === "gas_fund" ? sweep.gasFundRawTx : sweep.rawTx;
  if (!rawTx)
    throw new AppError("internal_error", `sweep ${sweep.id}: a transaction in flight is not recorded`);
  return outgoingTransactionOf(step.tx, {
    chain: step.chain.name,
    purpose: leg === "gas_fund" ? "sweep_gas_top_up" : "sweep",
    ownerId: sweep.id,
    recorded: {
      rawTx,
      replacedTxHashes: sweep.replacedTxHashes,
      signedAt: sweep.inFlightSince ?? nowOf(step.deps),
    },
  });
}

/** The deposit address's key, checked against the address the sweep sends from. */
export function depositSignerOf(step: SweepStep) {
  const { sweep } = step;
  const signer = depositSigner(
    step.deps.mnemonic,
    sweep.payment.derivationAccount,
    sweep.payment.derivationIndex,
  );
  if (signer.address !== getAddress(sweep.fromAddress))
    throw new AppError("internal_error", `sweep ${sweep.id}: key does not match ${sweep.fromAddress}`);
  return signer;
}

/**
 * What the sweep may take of the deposit's `balance` in its coin: all of it for a payment's own coin,
 * at most its transfer's amount for an unattributed transfer's sweep (whatever else the address holds
 * in that coin, e.g. another unattributed transfer or gas left over, stays).
 */
export function sweepableOf(sweep: Pick<SweepRow, "transfer">, balance: bigint): bigint {
  if (!sweep.transfer) return balance;
  const amount = wei(sweep.transfer.amount);
  return balance < amount ? balance : amount;
}

/**
 * Native coin at the deposit address on the sweep's chain that belongs to unattributed transfers
 * not yet moved by a confirmed sweep of their own: an ERC-20 sweep's gas never comes out of it (the
 * gas tank tops up as if it were not there), so accepting or refunding it later moves all of it.
 */
export async function reservedNativeOf(
  tx: Tx,
  sweep: Pick<SweepRow, "paymentId" | "chain">,
): Promise<bigint> {
  const [row] = await tx.$queryRaw<{ reserved: string }[]>`
    SELECT COALESCE(SUM(t.amount), 0)::text AS reserved FROM transfers t
    WHERE t.unattributed_payment_id = ${sweep.paymentId} AND t.chain = ${sweep.chain}
      AND t.token_address IS NULL AND t.status <> 'reverted'
      AND NOT EXISTS (SELECT 1 FROM sweeps s WHERE s.transfer_id = t.id AND s.status = 'confirmed')`;
  return BigInt(row?.reserved ?? "0");
}

/** A NUMERIC(78,0) column as a bigint (null as 0). */
export function wei(value: Decimal | null): bigint {
  return value === null ? 0n : BigInt(value.toFixed());
}
