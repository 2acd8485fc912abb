// Gas for token payouts of a merchant that holds no native coin (README "Balances, payouts and
// refunds"): the gas tank tops the merchant's hot wallet up with what the waiting payouts need, and
// those payouts' fees are the operator's cost (`gas_sponsored`, no `payout_fee` entry) — as the gas
// of ERC-20 sweeps is. The ETH the gas tank sent and the sponsored payouts have not spent yet is the
// hot wallet's "gas float": it is what reconciliation adds to the ledger for the native coin.
import type { Address, Hex } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import { newId } from "../ids";
import type { Logger } from "../logger";
import type { FeeFields } from "../transactions/fees/transaction-cost";
import { outgoingTransactionOf } from "../transactions/outgoing-transaction-of";
import { quoteOutgoingCost } from "../transactions/quote-outgoing-cost";
import { replacedCopyOf } from "../transactions/replace-stuck-transaction";
import { replaceStuckTransactions } from "../transactions/replace-stuck-transactions";
import { signOutgoingTransaction } from "../transactions/sign-outgoing-transaction";
import { gasTankSigner } from "../transactions/signing-accounts";
import { clientOf, nowOf, type TransactionDeps } from "../transactions/transaction-deps";
import { watchOutgoingTransaction } from "../transactions/watch-outgoing-transaction";

/**
 * A top-up sends what the waiting payouts need at the current quote plus 20 %: a price that rose a
 * little before they are signed does not cost a second top-up round trip. What is left stays in the
 * hot wallet as gas float for the next sponsored payouts (top-ups only ever cover the shortfall).
 */
export const GAS_TOP_UP_BUFFER_PERCENT = 20n;

/** The gas tank cannot pay a hot wallet's top-up: the payouts wait, with this message, until funded. */
export class GasTankEmptyError extends Error {
  override name = "GasTankEmptyError";
}

/** Serialises everything that reads or spends one hot wallet's gas float (signers, top-ups). */
export async function lockHotWalletGas(tx: Tx, chain: string, hotWallet: Address): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`gas-float:${chain}:${hotWallet}`}))`;
}

/**
 * The gas float a merchant's hot wallet can still spend: confirmed top-ups minus what sponsored
 * payouts paid (fee) or hold reserved (fee_reserved, while sent). Read under lockHotWalletGas.
 */
export async function freeGasFloat(tx: Tx, chain: string, merchantId: string): Promise<bigint> {
  const [row] = await tx.$queryRaw<{ free: string }[]>`
    SELECT (
      (SELECT COALESCE(SUM(amount), 0) FROM hot_wallet_gas_top_ups
        WHERE chain = ${chain} AND merchant_id = ${merchantId} AND status = 'confirmed')
      - (SELECT COALESCE(SUM(fee + fee_reserved), 0) FROM payouts
        WHERE chain = ${chain} AND merchant_id = ${merchantId} AND gas_sponsored)
    )::text AS free`;
  return BigInt(row?.free ?? "0");
}

/**
 * Sends the hot wallet what `needed` (the fees of the payouts waiting for gas, at `quote`) exceeds
 * its free float, plus the buffer. At most one top-up per hot wallet is open at a time (checked
 * under the wallet's lock), and it is signed and recorded before it is broadcast, so a restart
 * re-broadcasts the same bytes and never tops up twice. Throws GasTankEmptyError when the gas tank
 * cannot pay it. Returns the signed transaction to broadcast, or null when nothing is to be sent.
 */
export async function planGasTopUp(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  params: { merchantId: string; hotWallet: Address; needed: bigint; fees: FeeFields },
): Promise<Hex | null> {
  await lockHotWalletGas(tx, chain.name, params.hotWallet);
  const open = await tx.hotWalletGasTopUp.findFirst({
    where: { chain: chain.name, merchantId: params.merchantId, status: "sent" },
    select: { id: true },
  });
  if (open) return null;
  const shortfall = params.needed - (await freeGasFloat(tx, chain.name, params.merchantId));
  if (shortfall <= 0n) return null;
  const amount = (shortfall * (100n + GAS_TOP_UP_BUFFER_PERCENT) + 99n) / 100n;
  const gasTank = gasTankSigner(deps.mnemonic);
  const call = { to: params.hotWallet, value: amount };
  const [tankBalance, cost] = await Promise.all([
    client.getBalance({ address: gasTank.address, blockTag: "latest" }),
    // Gas estimated where the chain charges more than 21,000 (Arbitrum), plus the L1 fee (OP-stack).
    quoteOutgoingCost(client, { chain, from: gasTank.address, call, fees: params.fees }),
  ]);
  const topUpFee = cost.maxCost;
  if (tankBalance < amount + topUpFee)
    throw new GasTankEmptyError(
      `paused: the gas tank ${gasTank.address} on ${chain.name} holds ${tankBalance} wei, and the gas of this ` +
        `hot wallet's token payouts needs ${amount + topUpFee} wei (top-up and its fee): fund the gas tank ` +
        "and the payouts are sent by themselves",
    );
  const id = newId("gtu");
  const signed = await signOutgoingTransaction(tx, client, {
    chain,
    signer: gasTank,
    purpose: "hot_wallet_gas_top_up",
    ownerId: id,
    call,
    gas: cost.gas,
    fees: cost.fees,
    l1Fee: cost.l1Fee,
    signedAt: nowOf(deps),
  });
  await tx.hotWalletGasTopUp.create({
    data: {
      id,
      merchantId: params.merchantId,
      chain: chain.name,
      toAddress: params.hotWallet,
      amount: amount.toString(),
      nonce: signed.nonce,
      rawTx: signed.rawTx,
      txHash: signed.txHash,
      createdAt: nowOf(deps),
      sentAt: nowOf(deps),
    },
    select: { id: true },
  });
  return signed.rawTx;
}

/**
 * Records open top-ups whose transaction (or one it replaced) has the chain's required
 * confirmations (watchOutgoingTransaction): their amount becomes spendable float, the fee paid is
 * recorded. Those not mined yet are replaced under the chain's policy once stuck, or else sent again
 * as recorded (after a crash, or if the node dropped them), by the engine's runner
 * (replaceStuckTransactions). A top-up removed by a reorg before that point is simply re-broadcast:
 * the float never counts it before it is final.
 */
export async function confirmGasTopUps(
  deps: TransactionDeps,
  chain: TChain,
  options: { logger?: Logger } = {},
): Promise<number> {
  const open = await deps.db.hotWalletGasTopUp.findMany({
    where: { chain: chain.name, status: "sent" },
    select: { id: true, rawTx: true, replacedTxHashes: true, sentAt: true },
  });
  if (open.length === 0) return 0;
  const client = clientOf(deps, chain);
  let confirmed = 0;
  const notMined: { id: string; engineId: string }[] = [];
  for (const topUp of open) {
    try {
      const engineId = await outgoingTransactionOf(deps.db, {
        chain: chain.name,
        purpose: "hot_wallet_gas_top_up",
        ownerId: topUp.id,
        recorded: { rawTx: topUp.rawTx, replacedTxHashes: topUp.replacedTxHashes, signedAt: topUp.sentAt },
      });
      const outcome = await watchOutgoingTransaction(deps.db, client, chain, {
        id: engineId,
        now: nowOf(deps),
      });
      if (outcome.kind === "missing") notMined.push({ id: topUp.id, engineId });
      if (outcome.kind !== "final") continue;
      const { count } = await deps.db.hotWalletGasTopUp.updateMany({
        where: { id: topUp.id, status: "sent" },
        data: {
          status: "confirmed",
          txHash: outcome.hash,
          fee: outcome.feePaid.toString(),
          confirmedAt: nowOf(deps),
        },
      });
      confirmed += count;
    } catch (error) {
      options.logger?.warn("gas top-up not checked", { topUpId: topUp.id, error });
    }
  }
  await replaceStuckTransactions(deps, {
    chain,
    owners: notMined,
    broadcast: "all",
    logger: options.logger,
    prepare: async (tx, topUp) => {
      const [locked] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM hot_wallet_gas_top_ups WHERE id = ${topUp.id} AND status = 'sent' FOR UPDATE SKIP LOCKED`;
      if (!locked) return null;
      return {
        id: topUp.engineId,
        signer: gasTankSigner(deps.mnemonic),
        record: async (tx, outcome) => {
          if (outcome.kind !== "replaced") return;
          await tx.hotWalletGasTopUp.update({
            where: { id: topUp.id },
            data: { ...replacedCopyOf(outcome), sentAt: nowOf(deps) },
          });
        },
      };
    },
  });
  return confirmed;
}
