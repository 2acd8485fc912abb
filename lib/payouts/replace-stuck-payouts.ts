import { type Address, getAddress } from "viem";
import { postLedgerEntry } from "../balances/post-ledger-entry";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { Logger } from "../logger";
import { notifyPayoutsPaused } from "../notifications/notify";
import { quoteFees } from "../transactions/fees/quote-fees";
import { feeFieldsOf } from "../transactions/fees/transaction-cost";
import { replacedCopyOf } from "../transactions/replace-stuck-transaction";
import { type OwnedReplacement, replaceStuckTransactions } from "../transactions/replace-stuck-transactions";
import { hotWalletSigner } from "../transactions/signing-accounts";
import { clientOf, nowOf, stuckAfterMsOf, type TransactionDeps } from "../transactions/transaction-deps";
import { freeGasFloat, lockHotWalletGas } from "./hot-wallet-gas";
import { payoutTransactionOf, requestGasTopUp } from "./payout-transitions";

// ─── Stuck transactions ───────────────────────────────────────────────────────────────────────────

type GasNeed = { needsGas: bigint; merchantId: string; hotWallet: Address };

/**
 * Replaces sent payouts whose transaction is stuck under the chain's policy (transactionPolicyOf;
 * `stuckAfterMs` overrides its timeout) with the engine's runner (replaceStuckTransactions): same
 * call and nonce, both fees raised, recorded before it is broadcast. The superseded hash is kept:
 * whichever of them is mined is the payout's transaction. The extra fee is reserved first (or, for a
 * payout whose gas the gas tank pays, taken from the hot wallet's gas float, topped up when short).
 * Past the policy's limits the payout's transaction is paused and `last_error` says an operator is
 * needed.
 */
export async function replaceStuckPayouts(
  deps: TransactionDeps,
  chain: TChain,
  options: { stuckAfterMs?: number; logger?: Logger; payoutId?: string; broadcast?: boolean } = {},
): Promise<number> {
  const client = clientOf(deps, chain);
  const stuckAfterMs = options.stuckAfterMs ?? stuckAfterMsOf(deps, chain);
  const stuck = await deps.db.payout.findMany({
    where: {
      chain: chain.name,
      status: "sent",
      sentAt: { lte: new Date(nowOf(deps).getTime() - stuckAfterMs) },
      ...(options.payoutId ? { id: options.payoutId } : {}),
    },
    select: { id: true, rawTx: true, replacedTxHashes: true, sentAt: true },
  });
  const gasNeeds: GasNeed[] = [];
  const outcomes = await replaceStuckTransactions(deps, {
    chain,
    owners: stuck,
    stuckAfterMs,
    logger: options.logger,
    broadcast: options.broadcast === false ? "none" : "replaced",
    prepare: (tx, payout) =>
      payoutReplacement(deps, tx, chain, payout, (need) => {
        gasNeeds.push(need);
      }),
  });
  for (const need of gasNeeds)
    await requestGasTopUp(deps, client, chain, {
      ...need,
      needed: need.needsGas,
      fees: feeFieldsOf(await quoteFees(client, { chain })),
      broadcast: options.broadcast,
    });
  return outcomes.filter(({ outcome }) => outcome.kind === "replaced").length;
}

/** Locks a sent payout and says how its stuck transaction is replaced and booked. */
async function payoutReplacement(
  deps: TransactionDeps,
  tx: Tx,
  chain: TChain,
  sent: { id: string; rawTx: string | null; replacedTxHashes: string[]; sentAt: Date | null },
  needsGas: (need: GasNeed) => void,
): Promise<OwnedReplacement | null> {
  const payoutId = sent.id;
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM payouts WHERE id = ${payoutId} AND status = 'sent' FOR UPDATE SKIP LOCKED`;
  if (!locked) return null;
  const payout = await tx.payout.findUniqueOrThrow({
    where: { id: payoutId },
    select: {
      merchantId: true,
      txHash: true,
      feeReserved: true,
      fromAddress: true,
      gasSponsored: true,
      merchant: { select: { hdAccount: true } },
    },
  });
  if (!payout.txHash || !payout.fromAddress) return null;
  const hotWallet = getAddress(payout.fromAddress);
  const reserved = BigInt(payout.feeReserved.toFixed());
  return {
    id: await payoutTransactionOf(deps, chain, sent, tx),
    signer: hotWalletSigner(deps.mnemonic, payout.merchant.hdAccount),
    beforeSign: async ({ maxCost }) => {
      const extra = maxCost - reserved;
      if (extra <= 0n) return true;
      if (payout.gasSponsored) {
        // The gas tank pays this payout's gas: the extra comes out of the hot wallet's gas float, and
        // a replacement waits for the next top-up (of waiting payouts) when the float is short.
        await lockHotWalletGas(tx, chain.name, hotWallet);
        if ((await freeGasFloat(tx, chain.name, payout.merchantId)) >= extra) return true;
        needsGas({ needsGas: extra, merchantId: payout.merchantId, hotWallet });
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
    record: async (tx, outcome) => {
      // Prices do not explain a transaction stuck this long (e.g. the node refuses it): an operator looks.
      if (outcome.kind === "paused") {
        await tx.payout.update({ where: { id: payoutId }, data: { lastError: outcome.reason } });
        await notifyPayoutsPaused(
          tx,
          { merchantId: payout.merchantId, chain: chain.name, payoutId },
          outcome.reason,
          nowOf(deps),
        );
      }
      if (outcome.kind !== "replaced") return;
      await tx.payout.update({
        where: { id: payoutId },
        data: {
          ...replacedCopyOf(outcome),
          feeReserved: (outcome.maxCost > reserved ? outcome.maxCost : reserved).toString(),
          sentAt: nowOf(deps),
          lastError: `replaced stuck transaction ${payout.txHash}`,
        },
      });
    },
  };
}
