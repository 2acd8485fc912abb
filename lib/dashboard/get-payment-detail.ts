import type { AccessDeps } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { formatAmount } from "../money/amounts";
import { getPaymentOrThrow } from "../payments/get-payment";
import { type TPaymentObject, toBigInt } from "../payments/payment-object";
import { getPaymentSweeps } from "../settlement/get-payment-sweep";
import { tokenOfCoin } from "../settlement/sweep-coins";
import type { TSweepObject } from "../settlement/sweep-object";
import { listWebhookDeliveryLog, type WebhookDeliveryLogEntry } from "./list-webhook-delivery-log";

export type TimelineEntry = {
  id: string;
  fromStatus: TPaymentObject["status"] | null;
  toStatus: TPaymentObject["status"];
  exception: TPaymentObject["exception"];
  reason: string;
  at: string;
};

/** A transfer to the payment's address as the timeline shows it: when the scanner saw it. */
export type TransferEntry = {
  txHash: string;
  /** Formatted with the decimals of the transfer's own coin (a fiat payment receives several). */
  amount: string;
  /** The transfer's coin, e.g. `ETH` for a fiat payment's ETH transfer shown next to USDC ones. */
  symbol: string;
  status: "confirming" | "confirmed" | "reverted";
  at: string;
};

export type PaymentDetail = {
  payment: TPaymentObject;
  timeline: TimelineEntry[];
  /** Each transfer credited to the payment, oldest first, for the timeline. */
  transfers: TransferEntry[];
  /** Cancel is offered only where cancelPayment would accept it. */
  cancelable: boolean;
  /** Accept (a late or partial payment) is offered only where resolvePayment would accept it. */
  resolvable: boolean;
  /** Its sweep to the treasury, once planned. */
  sweep: TSweepObject | null;
  /** Every coin's sweep, `sweep` first: several for a fiat-priced payment paid in several coins. */
  sweeps: TSweepObject[];
  /** Webhook deliveries of the events about this payment, newest first (at most 50). */
  deliveries: WebhookDeliveryLogEntry[];
};

/**
 * A payment of this merchant with its timeline, sweep and webhook deliveries; another merchant's id
 * is a not_found AppError.
 */
export async function getPaymentDetailOrThrow(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
  baseUrl: string,
  chains: TChain[] = [],
): Promise<PaymentDetail> {
  const { db } = deps;
  const payment = await getPaymentOrThrow(deps, merchantId, id, baseUrl);
  const [changes, transfers, sweeps, deliveries] = await Promise.all([
    db.paymentStatusChange.findMany({
      where: { paymentId: payment.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, fromStatus: true, toStatus: true, exception: true, reason: true, createdAt: true },
    }),
    db.transfer.findMany({
      where: { paymentId: payment.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { txHash: true, chain: true, tokenAddress: true, amount: true, status: true, createdAt: true },
    }),
    getPaymentSweeps({ db, chains }, merchantId, payment.id),
    listWebhookDeliveryLog(db, merchantId, { object: payment.id, limit: 50 }),
  ]);
  return {
    payment,
    timeline: changes.map((change) => ({
      id: change.id,
      fromStatus: change.fromStatus,
      toStatus: change.toStatus,
      exception: change.exception,
      reason: change.reason,
      at: change.createdAt.toISOString(),
    })),
    transfers: transfers.map((transfer) => {
      const token = tokenOfCoin(chains, transfer) ?? payment.token ?? { symbol: "unknown", decimals: 0 };
      return {
        txHash: transfer.txHash,
        amount: formatAmount(toBigInt(transfer.amount), token.decimals),
        symbol: token.symbol,
        status: transfer.status,
        at: transfer.createdAt.toISOString(),
      };
    }),
    cancelable: payment.status === "pending" && payment.amount_received_base_units === "0",
    resolvable:
      payment.status === "expired" &&
      (payment.exception === "paid_late" || payment.exception === "underpaid"),
    sweep: sweeps[0] ?? null,
    sweeps,
    deliveries: deliveries.data,
  };
}
