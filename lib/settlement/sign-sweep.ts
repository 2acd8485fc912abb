// Signing the sweep's transactions with the outgoing-transaction engine (lib/transactions): the
// chain's fee quote (tip below the max fee), its gas limits and L1 data fee, one nonce allocator;
// each transaction is recorded (engine row and the sweep's copy) before anything is broadcast.
import { type Address, erc20Abi, getAddress, type Hex } from "viem";
import type { ChainClient } from "../chains/public-client";
import { feeModelOf } from "../transactions/fees/fee-model";
import { estimateGasLimit } from "../transactions/fees/gas-limit";
import { quoteFees } from "../transactions/fees/quote-fees";
import { type FeeFields, feeFieldsOf, maxPricePerGas } from "../transactions/fees/transaction-cost";
import { transactionPolicyOf } from "../transactions/fees/transaction-policy";
import { quoteOutgoingCost } from "../transactions/quote-outgoing-cost";
import {
  type OutgoingCall,
  type SignedOutgoingTransaction,
  signOutgoingTransaction,
} from "../transactions/sign-outgoing-transaction";
import { gasTankSigner } from "../transactions/signing-accounts";
import {
  estimateTokenTransferGas,
  isTokenBlockReason,
  TokenTransferRefusedError,
} from "../transactions/tokens/classify-token-refusal";
import { tokenTransferCall } from "../transactions/tokens/token-transfer-call";
import { nowOf } from "../transactions/transaction-deps";
import {
  depositSignerOf,
  GasTankInsufficientError,
  reservedNativeOf,
  SweepBlockedError,
  type SweepStep,
  sweepableOf,
  TokenBlockedError,
  wei,
} from "./sweep-step";

// ─── Native ───────────────────────────────────────────────────────────────────────────────────────

/**
 * A native sweep sends the deposit's balance less the most its transaction may cost: gas limit ×
 * max fee plus, on OP-stack chains, the L1 data fee. The tip is below the max fee, so what the
 * transaction does not burn (gas × (max fee − effective price), the unused L1 reserve) stays at the
 * deposit address; reconciliation counts it there.
 */
export async function signNativeSweep(step: SweepStep): Promise<void> {
  const { client, chain, sweep } = step;
  const from = getAddress(sweep.fromAddress);
  const to = getAddress(sweep.toAddress);
  const balance = sweepableOf(sweep, await client.getBalance({ address: from, blockTag: "latest" }));
  if (balance === 0n) throw new SweepBlockedError(`deposit ${from} holds 0 wei; waiting`);
  // 21,000 to an account without code; a treasury that is a contract (or any transfer on Arbitrum)
  // is estimated. The L1 fee is quoted on the bytes of a value as large as any sent (the balance).
  const feeModel = await feeModelOf(client, chain);
  const gas = await estimateGasLimit(client, { feeModel, account: from, to, value: 1n });
  const cost = await quoteOutgoingCost(client, { chain, from, call: { to, value: balance }, gas });
  if (balance <= cost.maxCost)
    throw new SweepBlockedError(
      `deposit ${from} holds ${balance} wei, not more than the ${cost.maxCost} wei its sweep may cost ` +
        "(gas limit × max fee + L1 fee); waiting",
    );
  const value = balance - cost.maxCost;
  await signDepositTransfer(step, { call: { to, value }, ...cost, amount: value });
}

/**
 * Signs the deposit key's sweep transaction with a freshly allocated nonce and records it (engine
 * row, and the sweep's copy of the bytes and hash) before anything is broadcast: after a crash the
 * same bytes are sent again.
 */
async function signDepositTransfer(
  step: SweepStep,
  transfer: { call: OutgoingCall; gas: bigint; fees: FeeFields; l1Fee: bigint; amount: bigint },
): Promise<void> {
  const { tx, sweep } = step;
  const now = nowOf(step.deps);
  const signed = await signOutgoingTransaction(tx, step.client, {
    chain: step.chain,
    signer: depositSignerOf(step),
    purpose: "sweep",
    ownerId: sweep.id,
    call: transfer.call,
    gas: transfer.gas,
    fees: transfer.fees,
    l1Fee: transfer.l1Fee,
    signedAt: now,
  });
  await tx.sweep.update({
    where: { id: sweep.id },
    data: {
      status: "transferring",
      amount: transfer.amount.toString(),
      nonce: signed.nonce,
      rawTx: signed.rawTx,
      txHash: signed.txHash,
      inFlightSince: now,
      replacedTxHashes: [],
      lastError: null,
      pausedReason: null,
    },
  });
}

// ─── ERC-20 ───────────────────────────────────────────────────────────────────────────────────────

/** The token transfer of the deposit's whole balance, and what it may cost at the current quote. */
async function tokenSweepCost(step: SweepStep) {
  const { client, chain, sweep } = step;
  const token = getAddress(sweep.tokenAddress ?? "");
  const from = getAddress(sweep.fromAddress);
  const to = getAddress(sweep.toAddress);
  const amount = sweepableOf(sweep, await tokenBalance(client, token, from));
  if (amount === 0n) throw new SweepBlockedError(`deposit ${from} holds no tokens to sweep; waiting`);
  const [gas, quote, ethHeld, reserved] = await Promise.all([
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
    quoteFees(client, { chain }),
    client.getBalance({ address: from, blockTag: "latest" }),
    reservedNativeOf(step.tx, sweep),
  ]);
  // Native coin someone sent that the payment does not accept is not gas for this transfer.
  const ethBalance = ethHeld > reserved ? ethHeld - reserved : 0n;
  const call = tokenTransferCall({ token, to, amount });
  const cost = await quoteOutgoingCost(client, { chain, from, call, gas, fees: feeFieldsOf(quote) });
  return { ...cost, call, amount, quote, ethBalance };
}

function tokenBalance(client: ChainClient, token: Address, holder: Address): Promise<bigint> {
  return client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [holder] });
}

/**
 * Sends the deposit exactly what its token transfer may cost (gas limit × max fee + L1 fee), less
 * what it already holds; signs the transfer at once when it holds enough.
 */
export async function planSweepGasTopUp(step: SweepStep): Promise<void> {
  const { tx, sweep } = step;
  const cost = await tokenSweepCost(step);
  if (cost.ethBalance >= cost.maxCost) {
    await tx.sweep.update({
      where: { id: sweep.id },
      data: { status: "gas_funded", lastError: null, pausedReason: null },
    });
    return signTokenSweep({ ...step, sweep: { ...sweep, status: "gas_funded" } });
  }
  const topUp = cost.maxCost - cost.ethBalance;
  const signed = await signGasTopUp(step, topUp);
  await tx.sweep.update({
    where: { id: sweep.id },
    data: { status: "funding_gas", ...gasTopUpFields(step, topUp, signed) },
  });
}

/**
 * The gas tank's top-up of the deposit, signed and recorded by the engine (a fresh nonce of the
 * gas tank; its gas estimated where the chain charges more than 21,000, its L1 fee reserved).
 */
export async function signGasTopUp(step: SweepStep, value: bigint): Promise<SignedOutgoingTransaction> {
  const { client, chain, sweep } = step;
  const gasTank = gasTankSigner(step.deps.mnemonic);
  const call = { to: getAddress(sweep.fromAddress), value };
  const [tankBalance, cost] = await Promise.all([
    client.getBalance({ address: gasTank.address, blockTag: "latest" }),
    quoteOutgoingCost(client, { chain, from: gasTank.address, call }),
  ]);
  const needed = value + cost.maxCost;
  if (tankBalance < needed)
    throw new GasTankInsufficientError(
      `gas tank ${gasTank.address} on ${chain.name} holds ${tankBalance} wei but this sweep's gas top-up needs ` +
        `${needed} wei: fund the gas tank; the sweep resumes by itself`,
    );
  return signOutgoingTransaction(step.tx, client, {
    chain,
    signer: gasTank,
    purpose: "sweep_gas_top_up",
    ownerId: sweep.id,
    call,
    gas: cost.gas,
    fees: cost.fees,
    l1Fee: cost.l1Fee,
    signedAt: nowOf(step.deps),
  });
}

/** A signed top-up recorded as the sweep's transaction in flight. */
export function gasTopUpFields(
  step: SweepStep,
  topUp: bigint,
  signed: { rawTx: Hex; txHash: Hex; nonce: number },
) {
  return {
    // Several top-ups when gas prices rose between a top-up and the transfer: the total sent.
    gasFundAmount: (wei(step.sweep.gasFundAmount) + topUp).toString(),
    gasFundNonce: signed.nonce,
    gasFundRawTx: signed.rawTx,
    gasFundTxHash: signed.txHash,
    inFlightSince: nowOf(step.deps),
    replacedTxHashes: [],
    lastError: null,
    pausedReason: null,
  };
}

/** The deposit key transfers the full token balance, with the gas it holds. */
export async function signTokenSweep(step: SweepStep): Promise<void> {
  const { tx, sweep } = step;
  const cost = await tokenSweepCost(step);
  const priced = await feesWithinReach(step, cost);
  if (!priced) {
    // Prices rose well above the top-up's: top up the difference first.
    await tx.sweep.update({
      where: { id: sweep.id },
      data: { status: "pending", lastError: "gas price rose since the top-up; topping up again" },
    });
    return;
  }
  await signDepositTransfer(step, { call: cost.call, gas: cost.gas, ...priced, amount: cost.amount });
}

type TokenSweepCost = Awaited<ReturnType<typeof tokenSweepCost>>;

/**
 * The fees of the token transfer given the gas at the deposit, with the L1 fee of the bytes they
 * are signed in; null when the deposit cannot pay them. On an EIP-1559 chain gas we topped up is
 * spent whole, at the one max fee it affords (the transaction still pays only base fee + tip; what
 * a lower max fee left behind would stay at the deposit for good), even when the quote fell since
 * the top-up; a legacy transaction pays its gas price, so it takes the quote's. When prices
 * rose a little since the top-up, the max fee it affords is taken if it clears twice the next
 * block's highest possible base fee (+12.5 %), which spares a second top-up that would cost far more
 * gas than the difference. Never above the chain's fee ceiling; ETH someone else sent to the deposit
 * is never spent on a higher max fee.
 */
async function feesWithinReach(
  step: SweepStep,
  cost: TokenSweepCost,
): Promise<{ fees: FeeFields; l1Fee: bigint } | null> {
  const { fees, quote, gas } = cost;
  const quoted = maxPricePerGas(fees);
  const topUps = wei(step.sweep.gasFundAmount);
  const affordableWith = (balance: bigint, l1Fee: bigint) => (balance > l1Fee ? (balance - l1Fee) / gas : 0n);
  const affordable = affordableWith(cost.ethBalance, cost.l1Fee);
  let price = quoted;
  // EIP-1559 only: a legacy gas price is what the transaction pays, so a higher one is never free.
  if (topUps > 0n && affordable > quoted && quote.type === "eip1559") {
    const ours = affordableWith(min(cost.ethBalance, topUps), cost.l1Fee);
    if (ours > quoted) price = ours;
  } else if (affordable < quoted && quote.type === "eip1559") {
    const maxNextBaseFee = (quote.baseFeePerGas * 1125n) / 1000n + 1n;
    if (affordable >= maxNextBaseFee * 2n) price = affordable;
  }
  // The quote itself is never above the ceiling (quoteFees clamps it).
  const ceiling = transactionPolicyOf(step.chain).maxFeePerGas;
  if (ceiling !== null && price > ceiling) price = ceiling;
  // A max fee longer than the quote's is more bytes, so a higher L1 fee: it is quoted on the bytes
  // signed, and the price lowered to what is left (as many bytes or fewer, so it fits), or to the
  // quote's when even that is less.
  for (let round = 0; round < 2; round++) {
    const priced = withMaxPrice(fees, price);
    const l1Fee =
      price === quoted
        ? cost.l1Fee
        : (
            await quoteOutgoingCost(step.client, {
              chain: step.chain,
              from: getAddress(step.sweep.fromAddress),
              call: cost.call,
              gas,
              fees: priced,
            })
          ).l1Fee;
    if (gas * price + l1Fee <= cost.ethBalance) return { fees: priced, l1Fee };
    if (price === quoted) return null;
    const within = affordableWith(cost.ethBalance, l1Fee);
    price = within > quoted && within < price ? within : quoted;
  }
  return null;
}

/** The fees with `price` as the max fee (tip kept within it) or as the legacy gas price. */
export function withMaxPrice(fees: FeeFields, price: bigint): FeeFields {
  if (fees.type === "legacy") return { type: "legacy", gasPrice: price };
  return {
    type: "eip1559",
    maxFeePerGas: price,
    maxPriorityFeePerGas: min(fees.maxPriorityFeePerGas, price),
  };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
