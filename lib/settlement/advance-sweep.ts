// The sweep state machine (DESIGN.md "Settlement"):
//   native: pending → transferring → confirmed (+ payment settled)
//   ERC-20: pending → funding_gas → gas_funded → transferring → confirmed (+ payment settled)
// Every transaction is signed and recorded (nonce, hash, raw bytes) in a committed database
// transaction BEFORE it is broadcast: a crash after recording re-broadcasts the very same bytes, so
// a sweep can never send twice. Each step locks the sweep row with FOR UPDATE SKIP LOCKED, so two
// runners never work on the same sweep at once; re-broadcasting the same raw transaction is
// harmless anyway.
import {
  type Address,
  erc20Abi,
  getAddress,
  type Hex,
  keccak256,
  type Log,
  parseTransaction,
  TransactionReceiptNotFoundError,
} from "viem";
import { creditSettledPayment } from "../balances/credit-settled-payment";
import type { ChainClient } from "../chains/public-client";
import { isAlreadyBroadcast, shortMessage } from "../chains/rpc-error";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { SweepStatus } from "../db/generated/enums";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { notifySweepsPaused } from "../notifications/notify";
import { PAYMENT_SELECT, serializePayment, toBigInt } from "../payments/payment-object";
import { allocateNonce } from "../transactions/allocate-nonce";
import { quoteFees } from "../transactions/fees/quote-fees";
import { feeFieldsOf, maxTransactionCost } from "../transactions/fees/transaction-cost";
import { feeCacheMsOf, feeFields, type GasQuote, quoteGasPrice } from "../transactions/gas-price";
import { depositSigner, gasTankSigner } from "../transactions/signing-accounts";
import {
  estimateTokenTransferGas,
  isTokenBlockReason,
  type TokenBlockReason,
  TokenTransferRefusedError,
} from "../transactions/tokens/classify-token-refusal";
import { readTokenTransfer } from "../transactions/tokens/read-token-transfer";
import { tokenTransferCall } from "../transactions/tokens/token-transfer-call";
import { clientOf, nowOf, replaceAfterMsOf, type TransactionDeps } from "../transactions/transaction-deps";

const NATIVE_TRANSFER_GAS = 21_000n;

export type AdvanceSweepResult = {
  sweepId: string;
  status: SweepStatus;
  /** Another runner holds the sweep right now; nothing was done. */
  busy: boolean;
  lastError: string | null;
};

export type AdvanceSweepOptions = {
  /** Base URL of checkout links in the payment.settled event's payment object. */
  baseUrl?: string;
};

const SWEEP_SELECT = {
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
} as const;

type SweepRow = {
  id: string;
  merchantId: string;
  paymentId: string;
  chain: string;
  tokenAddress: string | null;
  fromAddress: string;
  toAddress: string;
  mode: "treasury" | "balance";
  status: SweepStatus;
  amount: { toFixed(): string };
  gasFundAmount: { toFixed(): string } | null;
  gasFundFee: { toFixed(): string } | null;
  gasFundTxHash: string | null;
  gasFundRawTx: string | null;
  txHash: string | null;
  rawTx: string | null;
  fee: { toFixed(): string };
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
 * when it has the chain's required confirmations. Never broadcasts.
 */
export async function recordSweepTransaction(
  deps: TransactionDeps,
  sweepId: string,
  options: AdvanceSweepOptions = {},
): Promise<AdvanceSweepResult> {
  let blockedBy: string | null = null;
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
        const client = clientOf(deps, chain);
        try {
          await step(deps, tx, client, chain, sweep, options);
        } catch (error) {
          if (!(error instanceof SweepBlockedError)) throw error;
          blockedBy = error.message;
          await tx.sweep.update({
            where: { id: sweepId },
            data: {
              lastError: blockedBy,
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

async function step(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  options: AdvanceSweepOptions,
): Promise<void> {
  // A stuck ERC-20 transfer waiting for the extra top-up that pays for its replacement.
  if ((sweep.status === "pending" || sweep.status === "gas_funded") && sweep.stuckTransferTxHashes.length > 0)
    return resumeStuckTransfer(deps, tx, client, chain, sweep, options);
  switch (sweep.status) {
    case "pending":
      if (sweep.tokenAddress) return planGasTopUp(deps, tx, client, chain, sweep);
      return signNativeSweep(deps, tx, client, chain, sweep);
    case "gas_funded":
      return signTokenSweep(deps, tx, client, chain, sweep);
    case "funding_gas":
      return confirmGasTopUp(deps, tx, client, chain, sweep);
    case "transferring":
      return confirmSweep(deps, tx, client, chain, sweep, options);
    case "confirmed":
    case "failed":
      return;
  }
}

// ─── Native ───────────────────────────────────────────────────────────────────────────────────────

async function signNativeSweep(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
): Promise<void> {
  const from = getAddress(sweep.fromAddress);
  const to = getAddress(sweep.toAddress);
  const [balance, quote] = await Promise.all([
    client.getBalance({ address: from, blockTag: "latest" }),
    quoteGasPrice(client, { maxAgeMs: feeCacheMsOf(chain) }),
  ]);
  // A treasury that is a contract may need more than a plain transfer's 21,000 gas.
  const gas =
    balance > 0n
      ? maxBigInt(
          NATIVE_TRANSFER_GAS,
          await client.estimateGas({ account: from, to, value: 1n, blockTag: "latest" }),
        )
      : NATIVE_TRANSFER_GAS;
  const fee = gas * quote.gasPrice;
  if (balance <= fee)
    throw new SweepBlockedError(
      `deposit ${from} holds ${balance} wei, not more than the ${fee} wei fee of sweeping it; waiting`,
    );
  const value = balance - fee;
  await signDepositTransfer(deps, tx, client, chain, sweep, { to, value, gas, quote, amount: value });
}

/**
 * Signs the deposit key's sweep transaction with a freshly allocated nonce and records it, signed
 * bytes and hash, before anything is broadcast: after a crash the same bytes are sent again.
 */
async function signDepositTransfer(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  transfer: { to: Address; value: bigint; data?: Hex; gas: bigint; quote: GasQuote; amount: bigint },
): Promise<void> {
  const from = getAddress(sweep.fromAddress);
  const signer = depositSigner(deps.mnemonic, sweep.payment.derivationAccount, sweep.payment.derivationIndex);
  if (signer.address !== from)
    throw new AppError("internal_error", `sweep ${sweep.id}: key does not match ${from}`);
  const nonce = await allocateNonce(tx, client, { chain: chain.name, address: from });
  const rawTx = await signer.signTransaction({
    chainId: chain.chainId,
    to: transfer.to,
    value: transfer.value,
    ...(transfer.data ? { data: transfer.data } : {}),
    gas: transfer.gas,
    nonce,
    ...feeFields(transfer.quote),
  });
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "transferring",
      amount: transfer.amount.toString(),
      nonce,
      rawTx,
      txHash: keccak256(rawTx),
      inFlightSince: nowOf(deps),
      replacedTxHashes: [],
      lastError: null,
      pausedReason: null,
    },
  });
}

async function tokenBalance(client: ChainClient, token: Address, holder: Address): Promise<bigint> {
  return client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [holder] });
}

/** Gas of the token transfer and what it costs at the current price. */
async function tokenSweepCost(client: ChainClient, chain: TChain, sweep: SweepRow) {
  const token = getAddress(sweep.tokenAddress ?? "");
  const from = getAddress(sweep.fromAddress);
  const to = getAddress(sweep.toAddress);
  const amount = await tokenBalance(client, token, from);
  if (amount === 0n) throw new SweepBlockedError(`deposit ${from} holds no tokens to sweep; waiting`);
  const [gas, quote, ethBalance] = await Promise.all([
    // On the latest block, never the pending state (Anvil's and some nodes' default): there, another
    // deposit's sweep still in the pool may already have given the recipient a balance, making this
    // transfer look cheaper than it is if it is mined first (out of gas, reverted).
    estimateTokenTransferGas(client, { token, from, to, amount, blockTag: "latest" }).catch((error) => {
      if (error instanceof TokenTransferRefusedError && isTokenBlockReason(error.reason))
        throw new TokenBlockedError(
          error.reason,
          `${error.message}; the sweep waits and resumes by itself once the token allows the transfer`,
        );
      throw error;
    }),
    quoteGasPrice(client, { maxAgeMs: feeCacheMsOf(chain) }),
    client.getBalance({ address: from, blockTag: "latest" }),
  ]);
  return { token, from, to, amount, gas, quote, ethBalance };
}

/** Sends the deposit exactly the gas its token transfer needs (less what it already holds). */
async function planGasTopUp(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
): Promise<void> {
  const { from, gas, quote, ethBalance } = await tokenSweepCost(client, chain, sweep);
  const needed = gas * quote.gasPrice;
  if (ethBalance >= needed) {
    await tx.sweep.update({
      where: { id: sweep.id },
      data: { status: "gas_funded", lastError: null, pausedReason: null },
    });
    return signTokenSweep(deps, tx, client, chain, { ...sweep, status: "gas_funded" });
  }
  const topUp = needed - ethBalance;
  const signed = await signGasTopUp(deps, tx, client, chain, { to: from, value: topUp });
  await tx.sweep.update({
    where: { id: sweep.id },
    data: { status: "funding_gas", ...gasTopUpFields(sweep, topUp, signed, nowOf(deps)) },
  });
}

/** The gas tank's top-up transaction, signed with a freshly allocated nonce (not yet recorded). */
async function signGasTopUp(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  topUp: { to: Address; value: bigint },
): Promise<{ rawTx: Hex; nonce: number }> {
  const gasTank = gasTankSigner(deps.mnemonic);
  // The engine's fee quote: the tip is the node's suggestion (capped by the chain's policy), below
  // the max fee, so the tank pays base fee + tip rather than the whole max fee per gas.
  const [tankBalance, fees] = await Promise.all([
    client.getBalance({ address: gasTank.address, blockTag: "latest" }),
    quoteFees(client, { chain }),
  ]);
  const needed = topUp.value + maxTransactionCost(fees, NATIVE_TRANSFER_GAS, 0n);
  if (tankBalance < needed)
    throw new GasTankInsufficientError(
      `gas tank ${gasTank.address} on ${chain.name} holds ${tankBalance} wei but this sweep's gas top-up needs ` +
        `${needed} wei: fund the gas tank; the sweep resumes by itself`,
    );
  const nonce = await allocateNonce(tx, client, { chain: chain.name, address: gasTank.address });
  const rawTx = await gasTank.signTransaction({
    chainId: chain.chainId,
    to: topUp.to,
    value: topUp.value,
    gas: NATIVE_TRANSFER_GAS,
    nonce,
    ...feeFieldsOf(fees),
  });
  return { rawTx, nonce };
}

/** A signed top-up recorded as the sweep's transaction in flight. */
function gasTopUpFields(sweep: SweepRow, topUp: bigint, signed: { rawTx: Hex; nonce: number }, now: Date) {
  return {
    // Several top-ups when gas prices rose between a top-up and the transfer: the total sent.
    gasFundAmount: (toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" }) + topUp).toString(),
    gasFundNonce: signed.nonce,
    gasFundRawTx: signed.rawTx,
    gasFundTxHash: keccak256(signed.rawTx),
    inFlightSince: now,
    replacedTxHashes: [],
    lastError: null,
    pausedReason: null,
  };
}

async function confirmGasTopUp(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
): Promise<void> {
  const found = await inFlightReceipt(client, chain, sweep.gasFundTxHash, sweep.replacedTxHashes);
  if (found.kind === "missing") return replaceIfStuck(deps, tx, client, chain, sweep, "gas_fund");
  if (found.kind === "waiting") return;
  const outcome = found.outcome;
  if (found.hash !== sweep.gasFundTxHash)
    await tx.sweep.update({ where: { id: sweep.id }, data: { gasFundTxHash: found.hash } });
  const fee = outcome.gasUsed * outcome.effectiveGasPrice;
  const total = toBigInt(sweep.fee) + fee;
  if (outcome.status === "success") {
    await tx.sweep.update({
      where: { id: sweep.id },
      data: {
        status: "gas_funded",
        gasFundTxHashes: [...sweep.gasFundTxHashes, found.hash],
        gasFundGasUsed: outcome.gasUsed,
        gasFundFee: (toBigInt(sweep.gasFundFee ?? { toFixed: () => "0" }) + fee).toString(),
        fee: total.toString(),
        inFlightSince: null,
        replacedTxHashes: [],
        lastError: null,
      },
    });
    return;
  }
  // A reverted top-up moved no value (its gas is still paid): the total sent goes back down.
  const revertedValue = sweep.gasFundRawTx ? (parseTransaction(sweep.gasFundRawTx as Hex).value ?? 0n) : 0n;
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "pending",
      fee: total.toString(),
      gasFundTxHashes: [...sweep.gasFundTxHashes, found.hash],
      gasFundAmount: (toBigInt(sweep.gasFundAmount ?? { toFixed: () => "0" }) - revertedValue).toString(),
      gasFundFee: (toBigInt(sweep.gasFundFee ?? { toFixed: () => "0" }) + fee).toString(),
      gasFundRawTx: null,
      gasFundTxHash: null,
      gasFundNonce: null,
      inFlightSince: null,
      replacedTxHashes: [],
      attempts: sweep.attempts + 1,
      lastError: `gas top-up ${sweep.gasFundTxHash} reverted; retrying`,
    },
  });
}

/** The deposit key transfers the full token balance, spending the topped-up gas at one price. */
async function signTokenSweep(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
): Promise<void> {
  const cost = await tokenSweepCost(client, chain, sweep);
  const { token, to, amount, gas, ethBalance } = cost;
  let quote = cost.quote;
  // The gas already at the deposit (the top-up) is spent at the one price it affords: when prices
  // fell since the top-up, that leaves no ETH stranded there; when they rose a little, it avoids a
  // second top-up that would cost far more gas than the difference — as long as that price clears
  // the next block's highest possible base fee (+12.5 %) with room to spare.
  // Only ETH we sent is spent this way (never ETH someone else sent to the address), and never
  // more than 1.5 × the quote.
  const affordable = ethBalance / gas;
  const toppedUp = sweep.gasFundAmount !== null && toBigInt(sweep.gasFundAmount) > 0n;
  if (toppedUp && affordable > quote.gasPrice)
    quote = { type: quote.type, gasPrice: minBigInt(affordable, (quote.gasPrice * 3n) / 2n) };
  else if (affordable < quote.gasPrice && quote.type === "eip1559") {
    const block = await client.getBlock({ blockTag: "latest" });
    const maxNextBaseFee = block.baseFeePerGas === null ? null : (block.baseFeePerGas * 1125n) / 1000n + 1n;
    if (maxNextBaseFee !== null && affordable >= maxNextBaseFee * 2n)
      quote = { type: "eip1559", gasPrice: affordable };
  }
  if (ethBalance < gas * quote.gasPrice) {
    // Prices rose well above the top-up's: top up the difference first.
    await tx.sweep.update({
      where: { id: sweep.id },
      data: { status: "pending", lastError: "gas price rose since the top-up; topping up again" },
    });
    return;
  }
  await signDepositTransfer(deps, tx, client, chain, sweep, {
    to: token,
    value: 0n,
    data: tokenTransferCall({ token, to, amount }).data,
    gas,
    quote,
    amount,
  });
}

async function confirmSweep(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  options: AdvanceSweepOptions,
): Promise<void> {
  const found = await inFlightReceipt(client, chain, sweep.txHash, sweep.replacedTxHashes);
  if (found.kind === "missing") return replaceIfStuck(deps, tx, client, chain, sweep, "sweep");
  if (found.kind === "waiting") return;
  const outcome = found.outcome;
  let amount = toBigInt(sweep.amount);
  if (found.hash !== sweep.txHash) {
    // An earlier, replaced transaction was mined instead: it is the sweep (its own amount).
    const mined = await client.getTransaction({ hash: found.hash as Hex });
    amount = sweep.tokenAddress ? amount : mined.value;
    await tx.sweep.update({
      where: { id: sweep.id },
      data: { txHash: found.hash, amount: amount.toString() },
    });
  }
  const txHash = found.hash;
  const fee = outcome.gasUsed * outcome.effectiveGasPrice;
  const total = toBigInt(sweep.fee) + fee;
  // What reached the destination, from the receipt's Transfer logs (never a return value): less
  // than sent for a fee-on-transfer token; nothing when a token answered `false` without reverting.
  const received = sweep.tokenAddress
    ? readTokenTransfer(outcome, {
        token: getAddress(sweep.tokenAddress),
        from: getAddress(sweep.fromAddress),
        to: getAddress(sweep.toAddress),
      }).received
    : null;
  if (outcome.status !== "success" || received === 0n) {
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
        lastError: `sweep transaction ${txHash} ${outcome.status !== "success" ? "reverted" : "moved no tokens"}; retrying`,
      },
    });
    return;
  }
  const now = nowOf(deps);
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "confirmed",
      amountReceived: (received ?? amount).toString(),
      gasUsed: outcome.gasUsed,
      fee: total.toString(),
      confirmedAt: now,
      inFlightSince: null,
      replacedTxHashes: [],
      lastError: null,
    },
  });
  const { count } = await tx.payment.updateMany({
    where: { id: sweep.paymentId, status: "confirmed" },
    data: { status: "settled", settledAt: now },
  });
  // A payment that left `confirmed` meanwhile (a reorg) keeps its status; the sweep stays recorded.
  if (count === 0) return;
  await tx.paymentStatusChange.create({
    data: {
      id: newId("psc"),
      paymentId: sweep.paymentId,
      fromStatus: "confirmed",
      toStatus: "settled",
      reason: `swept to ${sweep.toAddress} in ${txHash}`,
      createdAt: now,
    },
  });
  if (sweep.mode === "balance")
    await creditSettledPayment(tx, {
      merchantId: sweep.merchantId,
      chain: sweep.chain,
      tokenSymbol: sweep.payment.tokenSymbol,
      paymentId: sweep.paymentId,
      amount: received ?? amount,
      txHash: sweep.txHash,
      createdAt: now,
    });
  const row = await tx.payment.findUniqueOrThrow({ where: { id: sweep.paymentId }, select: PAYMENT_SELECT });
  const payment = serializePayment(row, options.baseUrl ?? "");
  await recordEvent(tx, {
    merchantId: sweep.merchantId,
    type: "payment.settled",
    objectId: sweep.paymentId,
    object: {
      ...payment,
      settlement: { sweep_id: sweep.id, tx_hash: txHash, to_address: sweep.toAddress },
    },
    createdAt: now,
  });
}

type ReceiptOutcome = {
  status: "success" | "reverted";
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: Log[];
};
type InFlightReceipt =
  | { kind: "missing" }
  | { kind: "waiting" }
  | { kind: "confirmed"; hash: string; outcome: ReceiptOutcome };

/**
 * The receipt of the step's transaction in flight, or of one of the transactions it replaced (any of
 * them can be the one mined): confirmed once it has the chain's required confirmations, `waiting`
 * before that, `missing` while none of them is mined.
 */
async function inFlightReceipt(
  client: ChainClient,
  chain: TChain,
  hash: string | null,
  replaced: string[],
): Promise<InFlightReceipt> {
  if (!hash) throw new AppError("internal_error", "a sweep in flight has no transaction hash");
  for (const candidate of [hash, ...replaced]) {
    let receipt: Awaited<ReturnType<ChainClient["getTransactionReceipt"]>>;
    try {
      receipt = await client.getTransactionReceipt({ hash: candidate as Hex });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) continue;
      throw error;
    }
    const head = await client.getBlockNumber({ cacheTime: 0 });
    if (head - receipt.blockNumber + 1n < BigInt(chain.confirmations)) return { kind: "waiting" };
    return {
      kind: "confirmed",
      hash: candidate,
      outcome: {
        status: receipt.status,
        gasUsed: receipt.gasUsed,
        effectiveGasPrice: receipt.effectiveGasPrice,
        logs: receipt.logs,
      },
    };
  }
  return { kind: "missing" };
}

/** Replacement fee: at least the current quote and 12.5 % over the stuck one (nodes want ≥ 10 %). */
function replacementQuote(stuck: GasQuote, current: GasQuote): GasQuote {
  const bumped = (stuck.gasPrice * 1125n + 999n) / 1000n;
  return { type: stuck.type, gasPrice: maxBigInt(bumped, current.gasPrice) };
}

/**
 * A transaction in flight that no block has included for the chain's replacement timeout is
 * replaced: same sender and nonce, a higher fee, re-signed and recorded (the old hash is kept, it
 * may still be mined) before the caller broadcasts it. A native sweep sends its balance less the
 * new fee; a top-up sends the same value; an ERC-20 transfer whose deposit cannot pay the higher
 * fee first gets the difference from the gas tank (see topUpStuckTransfer).
 */
async function replaceIfStuck(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  step: "gas_fund" | "sweep",
): Promise<void> {
  const since = sweep.inFlightSince;
  const now = nowOf(deps);
  if (!since) {
    // Recorded before signing times were kept: the timeout starts now.
    await tx.sweep.update({ where: { id: sweep.id }, data: { inFlightSince: now } });
    return;
  }
  if (now.getTime() - since.getTime() < replaceAfterMsOf(deps, chain)) return;
  const hash = step === "gas_fund" ? sweep.gasFundTxHash : sweep.txHash;
  if (!hash)
    throw new AppError("internal_error", `sweep ${sweep.id}: a transaction in flight is not recorded`);
  return replaceTransaction(deps, tx, client, chain, sweep, { step, hash, earlier: sweep.replacedTxHashes });
}

/**
 * After the extra top-up for a stuck ERC-20 transfer (or a retry of it): the transfer is recorded
 * as in flight again, either because one of its transactions was mined meanwhile (whichever it is
 * becomes the sweep's transaction) or re-signed with the same nonce at the higher fee.
 */
async function resumeStuckTransfer(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  options: AdvanceSweepOptions,
): Promise<void> {
  const [hash, ...earlier] = sweep.stuckTransferTxHashes;
  if (!hash || hash !== sweep.txHash)
    throw new AppError("internal_error", `sweep ${sweep.id}: the stuck transfer is not recorded`);
  const found = await inFlightReceipt(client, chain, hash, earlier);
  if (found.kind === "missing")
    return replaceTransaction(deps, tx, client, chain, sweep, { step: "sweep", hash, earlier });
  const resumed = {
    status: "transferring" as const,
    replacedTxHashes: earlier,
    stuckTransferTxHashes: [],
    inFlightSince: nowOf(deps),
  };
  await tx.sweep.update({ where: { id: sweep.id }, data: resumed });
  if (found.kind === "confirmed")
    await confirmSweep(deps, tx, client, chain, { ...sweep, ...resumed }, options);
}

/** Re-signs the step's transaction `hash` (replacing it and `earlier`) with the same nonce and a higher fee. */
async function replaceTransaction(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  stuckTx: { step: "gas_fund" | "sweep"; hash: string; earlier: string[] },
): Promise<void> {
  const { step, hash, earlier } = stuckTx;
  const now = nowOf(deps);
  const raw = step === "gas_fund" ? sweep.gasFundRawTx : sweep.rawTx;
  const nonce = step === "gas_fund" ? sweep.gasFundNonce : sweep.nonce;
  if (!raw || nonce === null)
    throw new AppError("internal_error", `sweep ${sweep.id}: a transaction in flight is not recorded`);
  const signer =
    step === "gas_fund"
      ? gasTankSigner(deps.mnemonic)
      : depositSigner(deps.mnemonic, sweep.payment.derivationAccount, sweep.payment.derivationIndex);
  const minedCount = await client.getTransactionCount({ address: signer.address, blockTag: "latest" });
  let signNonce = nonce;
  if (minedCount > nonce) {
    // The nonce is used on chain. If one of ours was mined meanwhile, the next pass records it.
    const ours = await inFlightReceipt(client, chain, hash, earlier);
    if (ours.kind !== "missing") return;
    // A transaction we did not sign here took it (e.g. someone else sending from the gas tank's
    // key): ours can never be mined, so the step is signed again with a fresh nonce.
    signNonce = await allocateNonce(tx, client, { chain: chain.name, address: signer.address });
  }

  const stuck = parseTransaction(raw as Hex);
  const stuckQuote: GasQuote =
    stuck.type === "eip1559"
      ? { type: "eip1559", gasPrice: stuck.maxFeePerGas ?? 0n }
      : { type: "legacy", gasPrice: stuck.gasPrice ?? 0n };
  // A fresh quote: the replacement must clear the base fee as it is now.
  const current = await quoteGasPrice(client);
  let quote = replacementQuote(stuckQuote, current);
  const gas = stuck.gas ?? NATIVE_TRANSFER_GAS;
  let value = stuck.value ?? 0n;
  if (step === "sweep" && !sweep.tokenAddress) {
    const balance = await client.getBalance({ address: signer.address, blockTag: "latest" });
    if (balance <= gas * quote.gasPrice)
      throw new SweepBlockedError(`stuck sweep ${hash}: the deposit cannot pay a higher fee; waiting`);
    value = balance - gas * quote.gasPrice;
  } else if (step === "sweep") {
    const balance = await client.getBalance({ address: signer.address, blockTag: "latest" });
    // After the extra top-up the deposit affords exactly the fee it was topped up for: spent at that
    // price even if the quote fell meanwhile (no gas stranded there), at most 1.5 × the quote.
    const affordable = balance / gas;
    if (affordable > quote.gasPrice)
      quote = { type: quote.type, gasPrice: minBigInt(affordable, (quote.gasPrice * 3n) / 2n) };
    if (balance < gas * quote.gasPrice)
      return topUpStuckTransfer(deps, tx, client, chain, sweep, {
        hash,
        earlier,
        topUp: gas * quote.gasPrice - balance,
        message: `transfer ${hash} not mined; its replacement at ${quote.gasPrice} wei/gas needs ${gas * quote.gasPrice} wei of gas at the deposit, which holds ${balance}`,
      });
  } else {
    const tank = await client.getBalance({ address: signer.address, blockTag: "latest" });
    if (tank < value + gas * quote.gasPrice)
      throw new GasTankInsufficientError(
        `gas tank ${signer.address} on ${chain.name} cannot pay the replacement of stuck top-up ${hash}: fund it`,
      );
  }
  const rawTx = await signer.signTransaction({
    chainId: chain.chainId,
    to: stuck.to ?? undefined,
    data: stuck.data,
    value,
    gas,
    nonce: signNonce,
    ...feeFields(quote),
  });
  const replaced = [...earlier, hash];
  const message =
    signNonce === nonce
      ? `transaction ${hash} not mined after ${replaceAfterMsOf(deps, chain) / 1000} s; replaced at ${quote.gasPrice} wei/gas`
      : `nonce ${nonce} of ${signer.address} was taken by a transaction not sent by this sweep; re-signed with nonce ${signNonce}`;
  await tx.sweep.update({
    where: { id: sweep.id },
    data:
      step === "gas_fund"
        ? {
            gasFundRawTx: rawTx,
            gasFundTxHash: keccak256(rawTx),
            gasFundNonce: signNonce,
            inFlightSince: now,
            replacedTxHashes: replaced,
            lastError: message,
          }
        : {
            status: "transferring",
            rawTx,
            txHash: keccak256(rawTx),
            nonce: signNonce,
            amount: sweep.tokenAddress ? undefined : value.toString(),
            inFlightSince: now,
            replacedTxHashes: replaced,
            stuckTransferTxHashes: [],
            lastError: message,
            pausedReason: null,
          },
  });
}

/**
 * The deposit of a stuck ERC-20 transfer holds exactly the gas of the original fee, not of the
 * replacement's: the gas tank sends the difference first (signed and recorded before broadcast, so
 * a restart re-sends the same top-up, never a second one). The transfer's hashes are kept: it may
 * still be mined while the top-up is in flight, and resumeStuckTransfer then records it.
 */
async function topUpStuckTransfer(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  sweep: SweepRow,
  params: { hash: string; earlier: string[]; topUp: bigint; message: string },
): Promise<void> {
  const from = getAddress(sweep.fromAddress);
  const signed = await signGasTopUp(deps, tx, client, chain, {
    to: from,
    value: params.topUp,
  });
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "funding_gas",
      ...gasTopUpFields(sweep, params.topUp, signed, nowOf(deps)),
      stuckTransferTxHashes: [params.hash, ...params.earlier],
      lastError: `${params.message}: the gas tank tops it up by ${params.topUp} wei`,
    },
  });
}

// ─── Broadcasting ─────────────────────────────────────────────────────────────────────────────────

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
  try {
    await client.getTransactionReceipt({ hash: inFlight.hash as Hex });
    return { mined: true, error: null };
  } catch (error) {
    if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
  }
  try {
    await client.sendRawTransaction({ serializedTransaction: inFlight.raw as Hex });
    return { mined: false, error: null };
  } catch (error) {
    if (isAlreadyBroadcast(error)) return { mined: false, error: null };
    const message = shortMessage(error);
    await deps.db.sweep.update({
      where: { id: sweepId },
      data: { lastError: `broadcast failed: ${message}` },
    });
    return { mined: false, error: message };
  }
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
