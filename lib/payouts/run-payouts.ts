// Execution of approved payouts from merchants' hot wallets (DESIGN.md "Balances, payouts and
// refunds"):  approved → sent (signed, recorded, broadcast) → confirmed, or failed (funds returned).
// As with sweeps, each transaction is signed and recorded (nonce, hash, raw bytes) in a committed
// database transaction BEFORE it is broadcast: after a crash the same bytes are re-broadcast, so a
// payout can never be sent twice. Signing, nonces, watching and replacing stuck transactions are
// the outgoing-transaction engine's (lib/transactions): this file says what to send and books it.
import { type Address, getAddress, type Hex } from "viem";
import { postLedgerEntry } from "../balances/post-ledger-entry";
import type { ChainClient } from "../chains/public-client";
import { shortMessage } from "../chains/rpc-error";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import { notifyPayoutsPaused } from "../notifications/notify";
import { broadcastRawTransaction } from "../transactions/broadcast-raw-transaction";
import { quoteFees } from "../transactions/fees/quote-fees";
import { type FeeFields, feeFieldsOf } from "../transactions/fees/transaction-cost";
import { type OutgoingCost, quoteOutgoingCost } from "../transactions/quote-outgoing-cost";
import { signOutgoingTransaction } from "../transactions/sign-outgoing-transaction";
import { hotWalletSigner } from "../transactions/signing-accounts";
import {
  estimateTokenTransferGas,
  isExecutionReverted,
  TokenTransferRefusedError,
} from "../transactions/tokens/classify-token-refusal";
import { tokenTransferCall } from "../transactions/tokens/token-transfer-call";
import { clientOf, nowOf, type TransactionDeps } from "../transactions/transaction-deps";
import { confirmSentPayouts } from "./confirm-sent-payouts";
import { confirmGasTopUps, freeGasFloat, lockHotWalletGas } from "./hot-wallet-gas";
import { failPayout, recordPayoutEvent, requestGasTopUp } from "./payout-transitions";
import { replaceStuckPayouts } from "./replace-stuck-payouts";

const SIGNING_CONCURRENCY = 4;

export type RunPayoutsResult = { signed: number; broadcast: number; confirmed: number; failed: number };

/**
 * One pass over every configured chain: signs every approved payout (pipelined nonces), broadcasts
 * every sent one that is not mined yet, and records the outcome of those with enough
 * confirmations. Idempotent and safe to run from several processes at once (row locks).
 */
export async function runPayouts(
  deps: TransactionDeps,
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
  deps: TransactionDeps,
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
  // One quote for the batch; each payout reserves its most (gas limit × max fee).
  const fees = feeFieldsOf(await quoteFees(client, { chain }));
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
      const outcome = await deps.db.$transaction(
        (tx) => signPayout(deps, tx, client, chain, id, fees, options.logger),
        {
          timeout: 60_000,
        },
      );
      if (outcome === "failed") failed += 1;
      if (typeof outcome === "object" && "needsGas" in outcome) {
        const need = gasNeeds.get(outcome.merchantId) ?? { hotWallet: outcome.hotWallet, needed: 0n };
        gasNeeds.set(outcome.merchantId, { ...need, needed: need.needed + outcome.needsGas });
      } else if (typeof outcome === "object") {
        signed += 1;
        // Committed: send it now, so the first payouts are mined while later ones are signed. A
        // failed send is retried by broadcastSentPayouts with the same bytes.
        if (options.broadcast !== false) broadcasts.push(broadcastRawTransaction(client, outcome.rawTx));
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
    await requestGasTopUp(deps, client, chain, { merchantId, ...need, fees, broadcast: options.broadcast });
  await Promise.all(broadcasts);
  return { signed, failed };
}

async function signPayout(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  payoutId: string,
  fees: FeeFields,
  logger?: Logger,
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
  const call = token ? tokenTransferCall({ token, to, amount }) : { to, value: amount };

  let cost: OutgoingCost;
  try {
    // A token transfer is simulated (a refusal is classified: paused token, blacklisted account).
    const gas = token
      ? await estimateTokenTransferGas(client, { token, from: signer.address, to, amount })
      : undefined;
    cost = await quoteOutgoingCost(client, { chain, from: signer.address, call, gas, fees });
  } catch (error) {
    if (error instanceof TokenTransferRefusedError && error.reason !== "reverted") {
      const message = `paused: ${error.message}; the payout is sent once the issuer lifts it`;
      logger?.error("payout paused: the token refuses the transfer", {
        payoutId,
        chain: chain.name,
        reason: error.reason,
      });
      // The recipient is frozen: no retry helps, the funds return. Otherwise (token paused, hot
      // wallet frozen) the payout waits, approved, and is sent once the issuer lifts it.
      if (error.reason === "recipient_blacklisted") {
        await failPayout(deps, tx, chain, payoutId, error.message);
        return "failed";
      }
      await tx.payout.update({ where: { id: payoutId }, data: { lastError: message } });
      await notifyPayoutsPaused(tx, { merchantId: payout.merchantId, chain: chain.name, payoutId }, message);
      return "skipped";
    }
    if (!(error instanceof TokenTransferRefusedError || isExecutionReverted(error))) throw error;
    await failPayout(deps, tx, chain, payoutId, `the chain refuses this transfer: ${shortMessage(error)}`);
    return "failed";
  }
  const feeReserve = cost.maxCost;
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
  const now = nowOf(deps);
  const signed = await signOutgoingTransaction(tx, client, {
    chain,
    signer,
    purpose: "payout",
    ownerId: payoutId,
    call,
    gas: cost.gas,
    fees: cost.fees,
    l1Fee: cost.l1Fee,
    signedAt: now,
  });
  await tx.payout.update({
    where: { id: payoutId },
    data: {
      status: "sent",
      fromAddress: signed.from,
      nonce: signed.nonce,
      rawTx: signed.rawTx,
      txHash: signed.txHash,
      feeReserved: feeReserve.toString(),
      gasSponsored,
      sentAt: now,
      lastError: null,
    },
  });
  await recordPayoutEvent(deps, tx, chain, payoutId, "payout.sent", now);
  return { rawTx: signed.rawTx };
}

// ─── Broadcasting ─────────────────────────────────────────────────────────────────────────────────

/**
 * (Re-)broadcasts the recorded bytes of every sent payout of the chain that has no receipt yet, all
 * at once. "Already known" / "nonce too low" mean it is in the pool or mined: not an error.
 */
export async function broadcastSentPayouts(
  deps: TransactionDeps,
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
      const broadcast = await broadcastRawTransaction(client, payout.rawTx);
      if (broadcast.kind !== "failed") return broadcast.kind === "sent";
      options.logger?.warn("payout broadcast failed; retrying on the next run", {
        payoutId: payout.id,
        error: broadcast.message,
      });
      await deps.db.payout.update({
        where: { id: payout.id },
        data: { lastError: `broadcast failed: ${broadcast.message}` },
      });
      return false;
    }),
  );
  return results.filter(Boolean).length;
}
