// Gas for token payouts of a merchant that holds no native coin (README "Balances, payouts and
// refunds"): the gas tank tops the merchant's hot wallet up with what the waiting payouts need, and
// those payouts' fees are the operator's cost (`gas_sponsored`, no `payout_fee` entry) — as the gas
// of ERC-20 sweeps is. The ETH the gas tank sent and the sponsored payouts have not spent yet is the
// hot wallet's "gas float": it is what reconciliation adds to the ledger for the native coin.
import { type Address, type Hex, keccak256, parseTransaction } from "viem";
import { minedReceipt } from "../chains/mined-receipt";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import { newId } from "../ids";
import type { Logger } from "../logger";
import { allocateNonce } from "../transactions/allocate-nonce";
import { feeFields, type GasQuote, MAX_REPLACEMENTS, replacementPrice } from "../transactions/gas-price";
import { gasTankSigner } from "../transactions/signing-accounts";
import { clientOf, nowOf, replaceAfterMsOf, type TransactionDeps } from "../transactions/transaction-deps";

const NATIVE_TRANSFER_GAS = 21_000n;
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
  params: { merchantId: string; hotWallet: Address; needed: bigint; quote: GasQuote },
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
  const tankBalance = await client.getBalance({ address: gasTank.address, blockTag: "latest" });
  const topUpFee = NATIVE_TRANSFER_GAS * params.quote.gasPrice;
  if (tankBalance < amount + topUpFee)
    throw new GasTankEmptyError(
      `paused: the gas tank ${gasTank.address} on ${chain.name} holds ${tankBalance} wei, and the gas of this ` +
        `hot wallet's token payouts needs ${amount + topUpFee} wei (top-up and its fee): fund the gas tank ` +
        "and the payouts are sent by themselves",
    );
  const nonce = await allocateNonce(tx, client, { chain: chain.name, address: gasTank.address });
  const rawTx = await gasTank.signTransaction({
    chainId: chain.chainId,
    to: params.hotWallet,
    value: amount,
    gas: NATIVE_TRANSFER_GAS,
    nonce,
    ...feeFields(params.quote),
  });
  await tx.hotWalletGasTopUp.create({
    data: {
      id: newId("gtu"),
      merchantId: params.merchantId,
      chain: chain.name,
      toAddress: params.hotWallet,
      amount: amount.toString(),
      nonce,
      rawTx,
      txHash: keccak256(rawTx),
      createdAt: nowOf(deps),
      sentAt: nowOf(deps),
    },
    select: { id: true },
  });
  return rawTx;
}

/**
 * Records open top-ups whose transaction (or one it replaced) has the chain's required
 * confirmations: their amount becomes spendable float, their fee is recorded. Those not mined yet
 * are re-broadcast (after a crash, or if the node dropped them), and replaced at a higher fee once
 * stuck for the chain's replacement timeout (replaceStuckTopUp). A top-up removed by a reorg before
 * that point is simply re-broadcast: the float never counts it before it is final.
 */
export async function confirmGasTopUps(
  deps: TransactionDeps,
  chain: TChain,
  options: { logger?: Logger } = {},
): Promise<number> {
  const open = await deps.db.hotWalletGasTopUp.findMany({
    where: { chain: chain.name, status: "sent" },
    select: { id: true, rawTx: true, txHash: true, replacedTxHashes: true, sentAt: true },
  });
  if (open.length === 0) return 0;
  const client = clientOf(deps, chain);
  const head = await client.getBlockNumber({ cacheTime: 0 });
  let confirmed = 0;
  for (const topUp of open) {
    try {
      const receipt = await minedReceipt(client, [topUp.txHash, ...topUp.replacedTxHashes]);
      if (receipt) {
        if (head - receipt.blockNumber + 1n < BigInt(chain.confirmations)) continue;
        const { count } = await deps.db.hotWalletGasTopUp.updateMany({
          where: { id: topUp.id, status: "sent" },
          data: {
            status: "confirmed",
            txHash: receipt.transactionHash,
            fee: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
            confirmedAt: nowOf(deps),
          },
        });
        confirmed += count;
        continue;
      }
      const stuck = nowOf(deps).getTime() - topUp.sentAt.getTime() >= replaceAfterMsOf(deps, chain);
      const replacement = stuck ? await replaceStuckTopUp(deps, client, chain, topUp.id) : null;
      await client
        .sendRawTransaction({ serializedTransaction: (replacement ?? topUp.rawTx) as Hex })
        .catch((error: unknown) => {
          if (replacement)
            options.logger?.warn("gas top-up replacement not broadcast", { topUpId: topUp.id, error });
        });
    } catch (error) {
      options.logger?.warn("gas top-up not checked", { topUpId: topUp.id, error });
    }
  }
  return confirmed;
}

/**
 * Replaces a top-up stuck in the mempool: the same transfer from the gas tank with the same nonce,
 * re-signed at the current price and at least 25 % over the stuck one, recorded (the replaced hash
 * kept) before it is broadcast. Returns the new signed transaction, or null when there is nothing
 * to replace (another runner holds it, one of its transactions was mined, or it was already
 * replaced MAX_REPLACEMENTS times: prices do not explain that, an operator looks).
 */
async function replaceStuckTopUp(
  deps: TransactionDeps,
  client: ChainClient,
  chain: TChain,
  topUpId: string,
): Promise<Hex | null> {
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM hot_wallet_gas_top_ups WHERE id = ${topUpId} AND status = 'sent' FOR UPDATE SKIP LOCKED`;
    if (!locked) return null;
    const topUp = await tx.hotWalletGasTopUp.findUniqueOrThrow({
      where: { id: topUpId },
      select: { rawTx: true, txHash: true, replacedTxHashes: true, nonce: true, sentAt: true },
    });
    if (nowOf(deps).getTime() - topUp.sentAt.getTime() < replaceAfterMsOf(deps, chain)) return null;
    if (topUp.replacedTxHashes.length >= MAX_REPLACEMENTS) return null;
    if (await minedReceipt(client, [topUp.txHash, ...topUp.replacedTxHashes])) return null;
    const gasTank = gasTankSigner(deps.mnemonic);
    // The nonce is used (by this top-up, about to show up): nothing to replace.
    if ((await client.getTransactionCount({ address: gasTank.address, blockTag: "latest" })) > topUp.nonce)
      return null;
    const previous = parseTransaction(topUp.rawTx as Hex);
    const { quote, price } = await replacementPrice(client, previous);
    const rawTx = await gasTank.signTransaction({
      chainId: chain.chainId,
      to: previous.to ?? undefined,
      value: previous.value ?? 0n,
      gas: previous.gas ?? NATIVE_TRANSFER_GAS,
      nonce: topUp.nonce,
      ...feeFields({ type: quote.type, gasPrice: price }),
    });
    await tx.hotWalletGasTopUp.update({
      where: { id: topUpId },
      data: {
        rawTx,
        txHash: keccak256(rawTx),
        replacedTxHashes: [...topUp.replacedTxHashes, topUp.txHash],
        sentAt: nowOf(deps),
      },
    });
    return rawTx;
  });
}
