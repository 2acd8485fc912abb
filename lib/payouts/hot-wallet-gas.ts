// Gas for token payouts of a merchant that holds no native coin (README "Balances, payouts and
// refunds"): the gas tank tops the merchant's hot wallet up with what the waiting payouts need, and
// those payouts' fees are the operator's cost (`gas_sponsored`, no `payout_fee` entry) — as the gas
// of ERC-20 sweeps is. The ETH the gas tank sent and the sponsored payouts have not spent yet is the
// hot wallet's "gas float": it is what reconciliation adds to the ledger for the native coin.
import { type Address, type Hex, keccak256, TransactionReceiptNotFoundError } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import { newId } from "../ids";
import type { Logger } from "../logger";
import { allocateNonce } from "../settlement/allocate-nonce";
import { feeFields, type GasQuote } from "../settlement/gas-price";
import { clientOf, nowOf, type SettlementDeps } from "../settlement/settlement-deps";
import { gasTankSigner } from "../settlement/signing-accounts";

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
  deps: SettlementDeps,
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
    },
    select: { id: true },
  });
  return rawTx;
}

/**
 * Records open top-ups whose transaction has the chain's required confirmations (their amount
 * becomes spendable float, their fee is recorded), and re-broadcasts the recorded bytes of those
 * not mined yet (after a crash, or if the node dropped them). A top-up removed by a reorg before
 * that point is simply re-broadcast: the float never counts it before it is final.
 */
export async function confirmGasTopUps(
  deps: SettlementDeps,
  chain: TChain,
  options: { logger?: Logger } = {},
): Promise<number> {
  const open = await deps.db.hotWalletGasTopUp.findMany({
    where: { chain: chain.name, status: "sent" },
    select: { id: true, rawTx: true, txHash: true },
  });
  if (open.length === 0) return 0;
  const client = clientOf(deps, chain);
  const head = await client.getBlockNumber({ cacheTime: 0 });
  let confirmed = 0;
  for (const topUp of open) {
    try {
      const receipt = await client.getTransactionReceipt({ hash: topUp.txHash as Hex });
      if (head - receipt.blockNumber + 1n < BigInt(chain.confirmations)) continue;
      const { count } = await deps.db.hotWalletGasTopUp.updateMany({
        where: { id: topUp.id, status: "sent" },
        data: {
          status: "confirmed",
          fee: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
          confirmedAt: nowOf(deps),
        },
      });
      confirmed += count;
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) {
        options.logger?.warn("gas top-up receipt not read", { topUpId: topUp.id, error });
        continue;
      }
      await client.sendRawTransaction({ serializedTransaction: topUp.rawTx as Hex }).catch(() => undefined);
    }
  }
  return confirmed;
}
