// Execution of approved payouts from merchants' hot wallets (DESIGN.md "Balances, payouts and
// refunds"):  approved → sent (signed, recorded, broadcast) → confirmed, or failed (funds returned).
// As with sweeps, each transaction is signed and recorded (nonce, hash, raw bytes) in a committed
// database transaction BEFORE it is broadcast: after a crash the same bytes are re-broadcast, so a
// payout can never be sent twice. Nonces come from the shared allocator (lib/settlement), so many
// payouts of one hot wallet are signed back to back and broadcast without waiting for receipts.
import { type Address, getAddress, type Hex, keccak256, parseTransaction } from "viem";
import { postLedgerEntry } from "../balances/post-ledger-entry";
import { minedReceipt } from "../chains/mined-receipt";
import type { ChainClient } from "../chains/public-client";
import { isAlreadyBroadcast, shortMessage } from "../chains/rpc-error";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import { AppError } from "../errors";
import type { TEventType } from "../events/event-object";
import { recordEvent } from "../events/record-event";
import type { Logger } from "../logger";
import { allocateNonce } from "../settlement/allocate-nonce";
import {
  feeFields,
  type GasQuote,
  MAX_REPLACEMENTS,
  quoteGasPrice,
  replacementPrice,
} from "../settlement/gas-price";
import { clientOf, nowOf, type SettlementDeps } from "../settlement/settlement-deps";
import { hotWalletSigner } from "../settlement/signing-accounts";
import {
  estimateTokenTransferGas,
  isExecutionReverted,
  TokenTransferRefusedError,
} from "../transactions/tokens/classify-token-refusal";
import { readTokenTransfer } from "../transactions/tokens/read-token-transfer";
import { tokenTransferCall } from "../transactions/tokens/token-transfer-call";
import {
  confirmGasTopUps,
  freeGasFloat,
  GasTankEmptyError,
  lockHotWalletGas,
  planGasTopUp,
} from "./hot-wallet-gas";
import { PAYOUT_SELECT, serializePayout } from "./payout-object";
import { returnPayoutFunds, settleFeeReserve } from "./return-payout-funds";

const SIGNING_CONCURRENCY = 4;

export type RunPayoutsResult = { signed: number; broadcast: number; confirmed: number; failed: number };

/**
 * One pass over every configured chain: signs every approved payout (pipelined nonces), broadcasts
 * every sent one that is not mined yet, and records the outcome of those with enough
 * confirmations. Idempotent and safe to run from several processes at once (row locks).
 */
export async function runPayouts(
  deps: SettlementDeps,
  options: { logger?: Logger; limit?: number } = {},
): Promise<RunPayoutsResult> {
  const total: RunPayoutsResult = { signed: 0, broadcast: 0, confirmed: 0, failed: 0 };
  for (const chain of deps.chains) {
    await confirmGasTopUps(deps, chain, options);
    const signed = await signApprovedPayouts(deps, chain, options);
    const broadcast = await broadcastSentPayouts(deps, chain, options);
    await replaceStuckPayouts(deps, chain, options);
    const outcome = await confirmSentPayouts(deps, chain, options);
    total.signed += signed.signed;
    total.failed += signed.failed + outcome.failed;
    total.broadcast += broadcast;
    total.confirmed += outcome.confirmed;
  }
  return total;
}

// ─── Signing ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Signs approved payouts of one chain, oldest first. Per payout, in one transaction: lock it, reserve
 * the fee (gas limit × price, `payout_fee` debit of the native balance), allocate the hot wallet's
 * next nonce, sign, and record status `sent` with the raw transaction and a `payout.sent` event.
 * Each committed transaction is broadcast at once (the first are mined while later ones are
 * signed). A payout the chain would revert (simulation), or a native payout whose fee the balance
 * cannot cover, fails and its funds return. A token payout whose fee the native balance cannot
 * cover is paid for by the gas tank (hot-wallet-gas.ts): signed from the hot wallet's gas float, or
 * left approved while a top-up for all such payouts of the wallet is sent and confirmed.
 */
export async function signApprovedPayouts(
  deps: SettlementDeps,
  chain: TChain,
  options: {
    logger?: Logger;
    limit?: number;
    /** false: record only, as if the process died right after committing (crash tests). */
    broadcast?: boolean;
    /** Only this payout (the Inngest function); default: every approved payout of the chain. */
    payoutId?: string;
  } = {},
): Promise<{ signed: number; failed: number }> {
  const client = clientOf(deps, chain);
  const due = await deps.db.payout.findMany({
    where: {
      chain: chain.name,
      status: "approved",
      rawTx: null,
      ...(options.payoutId ? { id: options.payoutId } : {}),
    },
    orderBy: [{ approvedAt: "asc" }, { id: "asc" }],
    take: options.limit ?? 500,
    select: { id: true },
  });
  if (due.length === 0) return { signed: 0, failed: 0 };
  // One price for the batch: every payout's fee is known before it is sent (see GasQuote).
  const quote = await quoteGasPrice(client);
  let signed = 0;
  let failed = 0;
  const broadcasts: Promise<unknown>[] = [];
  const gasNeeds = new Map<string, { hotWallet: Address; needed: bigint }>();
  const queue = [...due];
  const signPayouts = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await signOne(next.id);
  };
  const signOne = async (id: string) => {
    try {
      const outcome = await deps.db.$transaction((tx) => signPayout(deps, tx, client, chain, id, quote), {
        timeout: 60_000,
      });
      if (outcome === "failed") failed += 1;
      if (typeof outcome === "object" && "needsGas" in outcome) {
        const need = gasNeeds.get(outcome.merchantId) ?? { hotWallet: outcome.hotWallet, needed: 0n };
        gasNeeds.set(outcome.merchantId, { ...need, needed: need.needed + outcome.needsGas });
      } else if (typeof outcome === "object") {
        signed += 1;
        // Committed: send it now, so the first payouts are mined while later ones are signed. A
        // failed send is retried by broadcastSentPayouts with the same bytes.
        if (options.broadcast !== false)
          broadcasts.push(
            client.sendRawTransaction({ serializedTransaction: outcome.rawTx }).catch(() => undefined),
          );
      }
    } catch (error) {
      options.logger?.warn("payout not signed; retrying on the next run", { payoutId: id, error });
      await deps.db.payout
        .update({ where: { id }, data: { lastError: shortMessage(error) } })
        .catch(() => undefined);
    }
  };
  // A few payouts are prepared at once (simulation, fee reserve, RPC round trips overlap); the nonce
  // row lock still hands out one nonce at a time, in commit order.
  await Promise.all(Array.from({ length: SIGNING_CONCURRENCY }, signPayouts));
  for (const [merchantId, need] of gasNeeds)
    await requestGasTopUp(deps, client, chain, { merchantId, ...need, quote, broadcast: options.broadcast });
  await Promise.all(broadcasts);
  return { signed, failed };
}

/**
 * Tops a hot wallet up for its token payouts waiting for gas (planGasTopUp) and broadcasts it; when
 * the gas tank is empty, those payouts stay approved with the reason as `last_error`.
 */
async function requestGasTopUp(
  deps: SettlementDeps,
  client: ChainClient,
  chain: TChain,
  params: { merchantId: string; hotWallet: Address; needed: bigint; quote: GasQuote; broadcast?: boolean },
): Promise<void> {
  try {
    const rawTx = await deps.db.$transaction((tx) => planGasTopUp(deps, tx, client, chain, params), {
      timeout: 60_000,
    });
    if (rawTx && params.broadcast !== false)
      await client.sendRawTransaction({ serializedTransaction: rawTx }).catch(() => undefined);
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
  }
}

async function signPayout(
  deps: SettlementDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  payoutId: string,
  quote: GasQuote,
): Promise<
  { rawTx: Hex } | { needsGas: bigint; merchantId: string; hotWallet: Address } | "failed" | "skipped"
> {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM payouts WHERE id = ${payoutId} AND status = 'approved' AND raw_tx IS NULL
    FOR UPDATE SKIP LOCKED`;
  if (!locked) return "skipped";
  const payout = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: {
      merchantId: true,
      tokenAddress: true,
      amount: true,
      toAddress: true,
      merchant: { select: { hdAccount: true } },
    },
  });
  const signer = hotWalletSigner(deps.mnemonic, payout.merchant.hdAccount);
  const to = getAddress(payout.toAddress);
  const amount = BigInt(payout.amount.toFixed());
  const token = payout.tokenAddress ? getAddress(payout.tokenAddress) : null;
  const call = token ? tokenTransferCall({ token, to, amount }) : { to, value: amount, data: undefined };

  let gas: bigint;
  try {
    gas = token
      ? await estimateTokenTransferGas(client, { token, from: signer.address, to, amount })
      : await client.estimateGas({ account: signer.address, ...call });
  } catch (error) {
    // A paused token may be unpaused: the payout waits (nothing reserved, nothing sent) and says why.
    if (error instanceof TokenTransferRefusedError && error.reason === "token_paused") {
      await tx.payout.update({
        where: { id: payoutId },
        data: { lastError: `${error.message}; the payout is sent once the token is unpaused` },
      });
      return "skipped";
    }
    if (!(error instanceof TokenTransferRefusedError || isExecutionReverted(error))) throw error;
    // Blacklisted sender or recipient, balance too low…: the classified reason when there is one.
    const reason = error instanceof TokenTransferRefusedError ? error.message : shortMessage(error);
    await failPayout(deps, tx, chain, payoutId, `the chain refuses this transfer: ${reason}`);
    return "failed";
  }
  const feeReserve = gas * quote.gasPrice;
  let gasSponsored = false;
  try {
    await postLedgerEntry(tx, {
      merchantId: payout.merchantId,
      chain: chain.name,
      tokenSymbol: chain.nativeCurrency.symbol,
      type: "payout_fee",
      amount: -feeReserve,
      payoutId,
      description: "network fee reserved (gas limit × price); the unused part returns on confirmation",
    });
  } catch (error) {
    if (!(error instanceof AppError && error.code === "validation_failed")) throw error;
    if (!payout.tokenAddress) {
      await failPayout(
        deps,
        tx,
        chain,
        payoutId,
        `the ${chain.nativeCurrency.symbol} balance cannot cover the network fee of ${feeReserve} wei`,
      );
      return "failed";
    }
    // A token payout without the native coin for its gas: the gas tank pays (operator cost).
    await lockHotWalletGas(tx, chain.name, signer.address);
    if ((await freeGasFloat(tx, chain.name, payout.merchantId)) < feeReserve) {
      await tx.payout.update({
        where: { id: payoutId },
        data: {
          lastError: `waiting for the gas tank to top up the hot wallet with ${chain.nativeCurrency.symbol} for gas`,
        },
      });
      return { needsGas: feeReserve, merchantId: payout.merchantId, hotWallet: signer.address };
    }
    gasSponsored = true;
  }
  const nonce = await allocateNonce(tx, client, { chain: chain.name, address: signer.address });
  const rawTx = await signer.signTransaction({
    chainId: chain.chainId,
    ...call,
    gas,
    nonce,
    ...feeFields(quote),
  });
  const now = nowOf(deps);
  await tx.payout.update({
    where: { id: payoutId },
    data: {
      status: "sent",
      fromAddress: signer.address,
      nonce,
      rawTx,
      txHash: keccak256(rawTx),
      feeReserved: feeReserve.toString(),
      gasSponsored,
      sentAt: now,
      lastError: null,
    },
  });
  await recordPayoutEvent(deps, tx, chain, payoutId, "payout.sent", now);
  return { rawTx };
}

async function failPayout(
  deps: SettlementDeps,
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

async function recordPayoutEvent(
  deps: SettlementDeps,
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

// ─── Broadcasting ─────────────────────────────────────────────────────────────────────────────────

/**
 * (Re-)broadcasts the recorded bytes of every sent payout of the chain that has no receipt yet, all
 * at once. "Already known" / "nonce too low" mean it is in the pool or mined: not an error.
 */
export async function broadcastSentPayouts(
  deps: SettlementDeps,
  chain: TChain,
  options: { logger?: Logger; limit?: number; payoutId?: string } = {},
): Promise<number> {
  const client = clientOf(deps, chain);
  const sent = await deps.db.payout.findMany({
    where: { chain: chain.name, status: "sent", ...(options.payoutId ? { id: options.payoutId } : {}) },
    orderBy: [{ fromAddress: "asc" }, { nonce: "asc" }],
    take: options.limit ?? 500,
    select: { id: true, rawTx: true, txHash: true },
  });
  const results = await Promise.all(
    sent.map(async (payout) => {
      if (!payout.rawTx || !payout.txHash) return false;
      try {
        await client.sendRawTransaction({ serializedTransaction: payout.rawTx as Hex });
        return true;
      } catch (error) {
        if (isAlreadyBroadcast(error)) return false;
        const message = shortMessage(error);
        options.logger?.warn("payout broadcast failed; retrying on the next run", {
          payoutId: payout.id,
          error,
        });
        await deps.db.payout.update({
          where: { id: payout.id },
          data: { lastError: `broadcast failed: ${message}` },
        });
        return false;
      }
    }),
  );
  return results.filter(Boolean).length;
}

// ─── Confirmation ─────────────────────────────────────────────────────────────────────────────────

/**
 * Records the outcome of sent payouts whose transaction has the chain's required confirmations:
 * success → `confirmed` (actual fee recorded, unused fee reserve returned, `payout.confirmed`);
 * reverted → `failed` (amount and unused fee returned, the gas spent is kept, `payout.failed`).
 */
export async function confirmSentPayouts(
  deps: SettlementDeps,
  chain: TChain,
  options: { logger?: Logger; limit?: number; payoutId?: string } = {},
): Promise<{ confirmed: number; failed: number }> {
  const client = clientOf(deps, chain);
  const sent = await deps.db.payout.findMany({
    where: { chain: chain.name, status: "sent", ...(options.payoutId ? { id: options.payoutId } : {}) },
    take: options.limit ?? 500,
    select: {
      id: true,
      txHash: true,
      replacedTxHashes: true,
      tokenAddress: true,
      fromAddress: true,
      toAddress: true,
      amount: true,
    },
  });
  if (sent.length === 0) return { confirmed: 0, failed: 0 };
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const receipts = await Promise.all(
    sent.map(async (payout) => {
      try {
        const receipt = await minedReceipt(client, [payout.txHash, ...payout.replacedTxHashes]);
        return receipt ? { payout, receipt } : null;
      } catch (error) {
        options.logger?.warn("payout receipt not read", { payoutId: payout.id, error });
        return null;
      }
    }),
  );
  let confirmed = 0;
  let failed = 0;
  for (const found of receipts) {
    if (!found) continue;
    const { payout, receipt } = found;
    if (head - receipt.blockNumber + 1n < BigInt(chain.confirmations)) continue;
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    // What the recipient got, from the token's Transfer logs (never a return value): less than the
    // amount for a fee-on-transfer token; nothing when a token answered `false` without reverting.
    const received =
      payout.tokenAddress && payout.fromAddress
        ? readTokenTransfer(receipt, {
            token: getAddress(payout.tokenAddress),
            from: getAddress(payout.fromAddress),
            to: getAddress(payout.toAddress),
          }).received
        : BigInt(payout.amount.toFixed());
    const succeeded = receipt.status === "success" && received > 0n;
    const failure = `transaction ${receipt.transactionHash} ${receipt.status === "success" ? "moved no tokens" : "reverted"}`;
    const outcome = await deps.db.$transaction(async (tx) => {
      // The mined transaction may be one a replacement superseded: the payout shows that one.
      const { count } = await tx.payout.updateMany({
        where: { id: payout.id, status: "sent" },
        data: succeeded
          ? {
              status: "confirmed",
              confirmedAt: nowOf(deps),
              lastError: null,
              txHash: receipt.transactionHash,
              amountReceived: received.toString(),
            }
          : { lastError: failure, txHash: receipt.transactionHash },
      });
      if (count === 0) return null;
      if (succeeded) {
        await settleFeeReserve(tx, payout.id, fee, nowOf(deps));
        await recordPayoutEvent(deps, tx, chain, payout.id, "payout.confirmed", nowOf(deps));
        return "confirmed" as const;
      }
      await failPayout(deps, tx, chain, payout.id, failure, fee);
      return "failed" as const;
    });
    if (outcome === "confirmed") confirmed += 1;
    if (outcome === "failed") failed += 1;
  }
  return { confirmed, failed };
}

// ─── Stuck transactions ───────────────────────────────────────────────────────────────────────────

/**
 * Replaces sent payouts whose transaction has not been mined `stuckAfterMs` after it was sent (price
 * too low, or dropped by the node): the same call with the same nonce, re-signed at the current
 * price and at least 25 % more than before (nodes require a bump to replace), recorded before it is
 * broadcast like the first. The superseded hash is kept: whichever of them is mined is the payout's
 * transaction — the shared nonce guarantees only one ever is. The extra fee is reserved first.
 */
export async function replaceStuckPayouts(
  deps: SettlementDeps,
  chain: TChain,
  options: { stuckAfterMs?: number; logger?: Logger; payoutId?: string; broadcast?: boolean } = {},
): Promise<number> {
  const client = clientOf(deps, chain);
  const stuckAfterMs =
    options.stuckAfterMs ?? Math.max(30_000, chain.blockTime * chain.confirmations * 3 * 1000);
  const stuck = await deps.db.payout.findMany({
    where: {
      chain: chain.name,
      status: "sent",
      sentAt: { lte: new Date(nowOf(deps).getTime() - stuckAfterMs) },
      ...(options.payoutId ? { id: options.payoutId } : {}),
    },
    select: { id: true },
  });
  let replaced = 0;
  for (const { id } of stuck) {
    try {
      const rawTx = await deps.db.$transaction(
        (tx) => replacePayoutTransaction(deps, tx, client, chain, id),
        {
          timeout: 60_000,
        },
      );
      if (!rawTx) continue;
      if (typeof rawTx === "object") {
        await requestGasTopUp(deps, client, chain, {
          ...rawTx,
          needed: rawTx.needsGas,
          quote: await quoteGasPrice(client),
          broadcast: options.broadcast,
        });
        continue;
      }
      replaced += 1;
      if (options.broadcast !== false)
        await client.sendRawTransaction({ serializedTransaction: rawTx }).catch((error: unknown) => {
          options.logger?.warn("replacement broadcast failed; retrying on the next run", {
            payoutId: id,
            error,
          });
        });
    } catch (error) {
      options.logger?.warn("stuck payout not replaced", { payoutId: id, error });
    }
  }
  return replaced;
}

async function replacePayoutTransaction(
  deps: SettlementDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  payoutId: string,
): Promise<Hex | { needsGas: bigint; merchantId: string; hotWallet: Address } | null> {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM payouts WHERE id = ${payoutId} AND status = 'sent' FOR UPDATE SKIP LOCKED`;
  if (!locked) return null;
  const payout = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: {
      merchantId: true,
      rawTx: true,
      txHash: true,
      nonce: true,
      feeReserved: true,
      replacedTxHashes: true,
      fromAddress: true,
      gasSponsored: true,
      merchant: { select: { hdAccount: true } },
    },
  });
  if (!payout.rawTx || !payout.txHash || payout.nonce === null || !payout.fromAddress) return null;
  if (payout.replacedTxHashes.length >= MAX_REPLACEMENTS) {
    // Prices do not explain a transaction stuck this long (e.g. the node refuses it): an operator looks.
    await tx.payout.update({
      where: { id: payoutId },
      data: { lastError: `not mined after ${MAX_REPLACEMENTS} replacements; needs an operator` },
    });
    return null;
  }
  if (await minedReceipt(client, [payout.txHash, ...payout.replacedTxHashes])) return null;
  // The nonce is used (by one of ours, about to show up): nothing to replace.
  const mined = await client.getTransactionCount({
    address: getAddress(payout.fromAddress),
    blockTag: "latest",
  });
  if (mined > payout.nonce) return null;
  const previous = parseTransaction(payout.rawTx as Hex);
  const { quote, price } = await replacementPrice(client, previous);
  const gas = previous.gas ?? 0n;
  const reserve = gas * price;
  const extra = reserve - BigInt(payout.feeReserved.toFixed());
  if (extra > 0n && payout.gasSponsored) {
    // The gas tank pays this payout's gas: the extra comes out of the hot wallet's gas float, and
    // a replacement waits for the next top-up (of waiting payouts) when the float is short.
    await lockHotWalletGas(tx, chain.name, getAddress(payout.fromAddress));
    if ((await freeGasFloat(tx, chain.name, payout.merchantId)) < extra)
      return { needsGas: extra, merchantId: payout.merchantId, hotWallet: getAddress(payout.fromAddress) };
  } else if (extra > 0n)
    await postLedgerEntry(tx, {
      merchantId: payout.merchantId,
      chain: chain.name,
      tokenSymbol: chain.nativeCurrency.symbol,
      type: "payout_fee",
      amount: -extra,
      payoutId,
      description: "extra network fee reserved to replace a stuck transaction",
    });
  const signer = hotWalletSigner(deps.mnemonic, payout.merchant.hdAccount);
  const rawTx = await signer.signTransaction({
    chainId: chain.chainId,
    to: previous.to ?? undefined,
    value: previous.value ?? 0n,
    data: previous.data,
    gas,
    nonce: payout.nonce,
    ...feeFields({ type: quote.type, gasPrice: price }),
  });
  await tx.payout.update({
    where: { id: payoutId },
    data: {
      rawTx,
      txHash: keccak256(rawTx),
      replacedTxHashes: [...payout.replacedTxHashes, payout.txHash],
      feeReserved: (extra > 0n ? reserve : BigInt(payout.feeReserved.toFixed())).toString(),
      sentAt: nowOf(deps),
      lastError: `replaced stuck transaction ${payout.txHash}`,
    },
  });
  return rawTx;
}
