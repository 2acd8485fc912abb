import type { Db } from "../db/client";
import { getPaymentOrThrow } from "../payments/get-payment";
import type { TPaymentObject } from "../payments/payment-object";

export type TimelineEntry = {
  id: string;
  fromStatus: TPaymentObject["status"] | null;
  toStatus: TPaymentObject["status"];
  exception: TPaymentObject["exception"];
  reason: string;
  at: string;
};

export type PaymentDetail = {
  payment: TPaymentObject;
  timeline: TimelineEntry[];
  /** Cancel is offered only where cancelPayment would accept it. */
  cancelable: boolean;
};

/** A payment of this merchant with its timeline; another merchant's id is a not_found AppError. */
export async function getPaymentDetailOrThrow(
  db: Db,
  merchantId: string,
  id: string,
  baseUrl: string,
): Promise<PaymentDetail> {
  const payment = await getPaymentOrThrow(db, merchantId, id, baseUrl);
  const changes = await db.paymentStatusChange.findMany({
    where: { paymentId: payment.id },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, fromStatus: true, toStatus: true, exception: true, reason: true, createdAt: true },
  });
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
    cancelable: payment.status === "pending" && payment.amount_received_base_units === "0",
  };
}
