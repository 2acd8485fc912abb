// A payment is settled when every coin it was credited with is swept: a single-coin payment by its
// one sweep, a fiat-priced payment paid in several coins (on one or several chains) by the last of
// its coins' sweeps to confirm. Balance mode credits each coin's swept amount then, once.
import { z } from "zod";
import { creditSettledPayment } from "../balances/credit-settled-payment";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { PAYMENT_SELECT, serializePayment, toBigInt } from "../payments/payment-object";
import { creditedCoinsOf, sameCoin, tokenOfCoin } from "./sweep-coins";

const ZCoinSweep = z.object({
  sweep_id: z.string(),
  chain: z.string(),
  /** The coin's symbol and, for an ERC-20 token, its contract address (null: the native coin). */
  token: z.object({ symbol: z.string(), address: z.string().nullable() }),
  tx_hash: z.string().nullable(),
  to_address: z.string(),
  /** Base units the destination received. */
  amount_base_units: z.string(),
});

/**
 * `payment.settled`'s `settlement`: the sweep of the payment's own coin (its `chain`/`token`), and,
 * only for a payment paid in several coins, `sweeps`: every coin's sweep, that one first.
 */
export const ZPaymentSettlement = z.object({
  sweep_id: z.string(),
  tx_hash: z.string().nullable(),
  to_address: z.string(),
  sweeps: z.array(ZCoinSweep).optional(),
});
export type TPaymentSettlement = z.infer<typeof ZPaymentSettlement>;

type ConfirmedSweep = {
  id: string;
  merchantId: string;
  chain: string;
  tokenAddress: string | null;
  toAddress: string;
  mode: "treasury" | "balance";
  txHash: string | null;
  amountReceived: { toFixed(): string } | null;
};

/**
 * A balance-mode coin's credit and its split: gross is what the payer sent in that coin (its
 * transfers to the payment), net what reached the hot wallet, and the fee all that did not: the
 * sweep's gas and, for the native coin, the unspent part of the gas reserve left at the deposit; for
 * a token, a fee-on-transfer token's cut (the gas tank pays a token sweep's gas).
 */
function creditOf(
  sweep: ConfirmedSweep,
  transfers: { chain: string; tokenAddress: string | null; amount: { toFixed(): string } }[],
): { net: bigint; gross: bigint; fee: bigint } {
  const net = receivedBy(sweep);
  const sent = transfers
    .filter((transfer) => sameCoin(transfer, sweep))
    .reduce((sum, transfer) => sum + toBigInt(transfer.amount), 0n);
  // More swept than sent (funds already at the address): no fee, the whole credit is gross.
  if (sent <= net) return { net, gross: net, fee: 0n };
  return { net, gross: sent, fee: sent - net };
}

function receivedBy(sweep: ConfirmedSweep): bigint {
  return toBigInt(sweep.amountReceived ?? { toFixed: () => "0" });
}

/**
 * Called in a sweep's confirming transaction, after its row is `confirmed`. Locks the payment row,
 * so of two coins' sweeps confirming at once the later one sees the other's and settles. Does
 * nothing while another coin has no confirmed sweep, or when the payment left `confirmed` (a reorg).
 */
export async function settlePaymentIfSwept(
  tx: Tx,
  context: { paymentId: string; chains: TChain[]; baseUrl: string; now: Date },
): Promise<boolean> {
  const { paymentId, now } = context;
  const [locked] = await tx.$queryRaw<{ status: string }[]>`
    SELECT status::text AS status FROM payments WHERE id = ${paymentId} FOR UPDATE`;
  if (locked?.status !== "confirmed") return false;
  const payment = await tx.payment.findUniqueOrThrow({
    where: { id: paymentId },
    select: { chain: true, tokenAddress: true, tokenSymbol: true },
  });
  const [coins, confirmed] = await Promise.all([
    creditedCoinsOf(tx, { id: paymentId, ...payment }),
    tx.sweep.findMany({
      where: { paymentId, status: "confirmed", transferId: null },
      select: {
        id: true,
        merchantId: true,
        chain: true,
        tokenAddress: true,
        toAddress: true,
        mode: true,
        txHash: true,
        amountReceived: true,
      },
      orderBy: { confirmedAt: "asc" },
    }),
  ]);
  const swept: ConfirmedSweep[] = [];
  for (const coin of coins) {
    const sweep = confirmed.find((candidate) => sameCoin(candidate, coin));
    if (!sweep) return false;
    swept.push(sweep);
  }
  const [own] = swept;
  if (!own) return false;
  await tx.payment.update({ where: { id: paymentId }, data: { status: "settled", settledAt: now } });
  await tx.paymentStatusChange.create({
    data: {
      id: newId("psc"),
      paymentId,
      fromStatus: "confirmed",
      toStatus: "settled",
      reason: swept.map((sweep) => `swept to ${sweep.toAddress} in ${sweep.txHash}`).join("; "),
      createdAt: now,
    },
  });
  const symbolOf = (sweep: ConfirmedSweep) =>
    tokenOfCoin(context.chains, sweep)?.symbol ?? (sweep === own ? payment.tokenSymbol : "unknown");
  const transfers = swept.some((sweep) => sweep.mode === "balance")
    ? await tx.transfer.findMany({
        where: { paymentId, status: { not: "reverted" } },
        select: { chain: true, tokenAddress: true, amount: true },
      })
    : [];
  for (const sweep of swept)
    if (sweep.mode === "balance") {
      const { net, gross, fee } = creditOf(sweep, transfers);
      await creditSettledPayment(tx, {
        merchantId: sweep.merchantId,
        chain: sweep.chain,
        tokenSymbol: symbolOf(sweep),
        paymentId,
        amount: net,
        split: { gross, fee },
        txHash: sweep.txHash,
        createdAt: now,
      });
    }
  const row = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: PAYMENT_SELECT });
  const settlement: TPaymentSettlement = { sweep_id: own.id, tx_hash: own.txHash, to_address: own.toAddress };
  if (swept.length > 1)
    settlement.sweeps = swept.map((sweep) => ({
      sweep_id: sweep.id,
      chain: sweep.chain,
      token: { symbol: symbolOf(sweep), address: sweep.tokenAddress },
      tx_hash: sweep.txHash,
      to_address: sweep.toAddress,
      amount_base_units: receivedBy(sweep).toString(),
    }));
  await recordEvent(tx, {
    merchantId: own.merchantId,
    type: "payment.settled",
    objectId: paymentId,
    object: { ...serializePayment(row, context.baseUrl), settlement },
    createdAt: now,
  });
  return true;
}
