import { type Address, getAddress, type Hex } from "viem";
import { postLedgerEntry } from "../balances/post-ledger-entry";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { Logger } from "../logger";
import { broadcastRawTransaction } from "../transactions/broadcast-raw-transaction";
import { quoteFees } from "../transactions/fees/quote-fees";
import { feeFieldsOf } from "../transactions/fees/transaction-cost";
import { type TransactionPolicy, transactionPolicyOf } from "../transactions/fees/transaction-policy";
import { replaceStuckTransaction } from "../transactions/replace-stuck-transaction";
import { hotWalletSigner } from "../transactions/signing-accounts";
import { clientOf, nowOf, type TransactionDeps } from "../transactions/transaction-deps";
import { freeGasFloat, lockHotWalletGas } from "./hot-wallet-gas";
import { payoutTransactionOf, requestGasTopUp } from "./payout-transitions";

// ─── Stuck transactions ───────────────────────────────────────────────────────────────────────────

type GasNeed = { needsGas: bigint; merchantId: string; hotWallet: Address };

/**
 * Replaces sent payouts whose transaction is stuck under the chain's policy (transactionPolicyOf;
 * `stuckAfterMs` overrides its timeout): same call and nonce, both fees raised, recorded before it
 * is broadcast. The superseded hash is kept: whichever of them is mined is the payout's transaction.
 * The extra fee is reserved first (or, for a payout whose gas the gas tank pays, taken from the hot
 * wallet's gas float, topped up when short). Past the policy's limits the payout's transaction is
 * paused and `last_error` says an operator is needed.
 */
export async function replaceStuckPayouts(
  deps: TransactionDeps,
  chain: TChain,
  options: { stuckAfterMs?: number; logger?: Logger; payoutId?: string; broadcast?: boolean } = {},
): Promise<number> {
  const client = clientOf(deps, chain);
  const policy = transactionPolicyOf(chain);
  const stuckAfterMs = options.stuckAfterMs ?? deps.replaceAfterMs ?? policy.stuckAfterSeconds * 1000;
  const stuck = await deps.db.payout.findMany({
    where: {
      chain: chain.name,
      status: "sent",
      sentAt: { lte: new Date(nowOf(deps).getTime() - stuckAfterMs) },
      ...(options.payoutId ? { id: options.payoutId } : {}),
    },
    select: { id: true, rawTx: true, replacedTxHashes: true, sentAt: true },
  });
  let replaced = 0;
  for (const payout of stuck) {
    try {
      const engineId = await payoutTransactionOf(deps, chain, payout);
      const outcome = await deps.db.$transaction(
        (tx) =>
          replacePayoutTransaction(deps, tx, client, chain, {
            payoutId: payout.id,
            engineId,
            policy,
            stuckAfterMs,
          }),
        { timeout: 60_000 },
      );
      if (!outcome) continue;
      if ("needsGas" in outcome) {
        await requestGasTopUp(deps, client, chain, {
          ...outcome,
          needed: outcome.needsGas,
          fees: feeFieldsOf(await quoteFees(client, { chain })),
          broadcast: options.broadcast,
        });
        continue;
      }
      replaced += 1;
      if (options.broadcast === false) continue;
      const broadcast = await broadcastRawTransaction(client, outcome.rawTx);
      if (broadcast.kind === "failed")
        options.logger?.warn("replacement broadcast failed; retrying on the next run", {
          payoutId: payout.id,
          error: broadcast.message,
        });
    } catch (error) {
      options.logger?.warn("stuck payout not replaced", { payoutId: payout.id, error });
    }
  }
  return replaced;
}

async function replacePayoutTransaction(
  deps: TransactionDeps,
  tx: Tx,
  client: ChainClient,
  chain: TChain,
  params: { payoutId: string; engineId: string; policy: TransactionPolicy; stuckAfterMs: number },
): Promise<{ rawTx: Hex } | GasNeed | null> {
  const { payoutId } = params;
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM payouts WHERE id = ${payoutId} AND status = 'sent' FOR UPDATE SKIP LOCKED`;
  if (!locked) return null;
  const payout = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: {
      merchantId: true,
      txHash: true,
      feeReserved: true,
      replacedTxHashes: true,
      fromAddress: true,
      gasSponsored: true,
      merchant: { select: { hdAccount: true } },
    },
  });
  if (!payout.txHash || !payout.fromAddress) return null;
  const hotWallet = getAddress(payout.fromAddress);
  const reserved = BigInt(payout.feeReserved.toFixed());
  let gasNeed: GasNeed | null = null;
  const outcome = await replaceStuckTransaction(tx, client, {
    id: params.engineId,
    chain,
    signer: hotWalletSigner(deps.mnemonic, payout.merchant.hdAccount),
    policy: params.policy,
    stuckAfterMs: params.stuckAfterMs,
    now: nowOf(deps),
    beforeSign: async ({ maxCost }) => {
      const extra = maxCost - reserved;
      if (extra <= 0n) return true;
      if (payout.gasSponsored) {
        // The gas tank pays this payout's gas: the extra comes out of the hot wallet's gas float, and
        // a replacement waits for the next top-up (of waiting payouts) when the float is short.
        await lockHotWalletGas(tx, chain.name, hotWallet);
        if ((await freeGasFloat(tx, chain.name, payout.merchantId)) >= extra) return true;
        gasNeed = { needsGas: extra, merchantId: payout.merchantId, hotWallet };
        return false;
      }
      await postLedgerEntry(tx, {
        merchantId: payout.merchantId,
        chain: chain.name,
        tokenSymbol: chain.nativeCurrency.symbol,
        type: "payout_fee",
        amount: -extra,
        payoutId,
        description: "extra network fee reserved to replace a stuck transaction",
      });
      return true;
    },
  });
  if (outcome.kind === "paused") {
    // Prices do not explain a transaction stuck this long (e.g. the node refuses it): an operator looks.
    await tx.payout.update({ where: { id: payoutId }, data: { lastError: outcome.reason } });
    return null;
  }
  if (outcome.kind === "waiting") return gasNeed;
  if (outcome.kind !== "replaced") return null;
  await tx.payout.update({
    where: { id: payoutId },
    data: {
      rawTx: outcome.rawTx,
      txHash: outcome.txHash,
      replacedTxHashes: [...payout.replacedTxHashes, payout.txHash],
      feeReserved: (outcome.maxCost > reserved ? outcome.maxCost : reserved).toString(),
      sentAt: nowOf(deps),
      lastError: `replaced stuck transaction ${payout.txHash}`,
    },
  });
  return { rawTx: outcome.rawTx };
}
