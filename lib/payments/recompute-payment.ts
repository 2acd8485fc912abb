import type { Tx } from "../db/client";
import type { TEventType } from "../events/event-object";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

type Status = TPaymentObject["status"];
type Exception = TPaymentObject["exception"];

export type RecomputePaymentParams = {
  paymentId: string;
  baseUrl: string;
  now: Date;
  /**
   * Time up to which the payment's chain has been fully scanned (the timestamp of the last scanned
   * block). Expiry is judged against it, never the wall clock alone: a payment made before its
   * expiry but scanned later is not expired. Null = unknown, nothing expires.
   */
  chainTime: Date | null;
  /** Why the recompute runs, for the timeline (e.g. "transfer detected", "chain reorganisation"). */
  reason: string;
};

export type RecomputePaymentReturnType = {
  status: Status;
  exception: Exception;
  amountReceived: bigint;
  /** Events written by this call, in order. */
  events: TEventType[];
} | null;

type Transition = { to: Status; exception: Exception; event: TEventType; reason: string };

/**
 * Recomputes a payment from its transfers (DESIGN.md "Payment lifecycle") under a row lock, and
 * writes every transition with its timeline entry and event in the caller's transaction:
 * amount received = sum of non-reverted transfers; pending → detected (≥ amount) → confirmed (≥
 * amount, every transfer at the required confirmations, `overpaid` if more); detected → pending on
 * a reorg (`payment.reverted`); pending → expired once the chain's scanned time passes the expiry
 * (`underpaid` if anything arrived); a full payment whose paying transfer is in a block after the
 * expiry → expired with `paid_late`. Confirmed, settled and canceled payments only get their
 * amounts refreshed (and a confirmed one its `overpaid` exception, both ways).
 */
export async function recomputePayment(
  tx: Tx,
  params: RecomputePaymentParams,
): Promise<RecomputePaymentReturnType> {
  // The lock serialises two workers (scanner, expiry, resolve) on the same payment.
  const [locked] = await tx.$queryRaw<
    {
      merchant_id: string;
      status: Status;
      exception: Exception;
      amount: string;
      required_confirmations: number;
      expires_at: Date;
    }[]
  >`SELECT merchant_id, status, exception, amount::text AS amount, required_confirmations, expires_at
    FROM payments WHERE id = ${params.paymentId} FOR UPDATE`;
  if (!locked) return null;

  const transfers = await tx.transfer.findMany({
    where: { paymentId: params.paymentId, status: { not: "reverted" } },
    select: { amount: true, blockTimestamp: true, confirmations: true, status: true },
    orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
  });
  const amount = BigInt(locked.amount);
  const required = locked.required_confirmations;
  let received = 0n;
  let paidAt: Date | null = null;
  for (const transfer of transfers) {
    received += BigInt(transfer.amount.toFixed());
    if (paidAt === null && received >= amount) paidAt = transfer.blockTimestamp;
  }
  const allConfirmed =
    transfers.length > 0 &&
    transfers.every((transfer) => transfer.status === "confirmed" || transfer.confirmations >= required);
  const confirmations = transfers.length === 0 ? 0 : Math.min(...transfers.map((t) => t.confirmations));
  const overpaid: Exception = received > amount ? "overpaid" : null;
  const underpaid: Exception = received > 0n ? "underpaid" : null;

  const transitions: Transition[] = [];
  let exception = locked.exception;
  const from = locked.status;
  if (from === "pending" || from === "detected" || from === "expired") {
    const full = received >= amount;
    // A detected payment never expires, even if a reorg moved its transfer to a later block.
    const onTime = paidAt !== null && (paidAt <= locked.expires_at || from === "detected");
    if (full && onTime) {
      exception = overpaid;
      if (from !== "detected")
        transitions.push({
          to: "detected",
          exception,
          event: "payment.detected",
          reason: `${params.reason}: amount received`,
        });
      if (allConfirmed)
        transitions.push({
          to: "confirmed",
          exception,
          event: "payment.confirmed",
          reason: `${params.reason}: ${required} confirmations reached`,
        });
    } else if (full) {
      exception = "paid_late";
      if (from !== "expired" || locked.exception !== "paid_late")
        transitions.push({
          to: "expired",
          exception,
          event: "payment.paid_late",
          reason: `${params.reason}: full amount received after the expiry`,
        });
    } else if (from === "detected") {
      exception = null;
      transitions.push({
        to: "pending",
        exception,
        event: "payment.reverted",
        reason: `${params.reason}: transfer reverted, amount no longer received`,
      });
    } else if (from === "expired") {
      const wasPaidLate = locked.exception === "paid_late";
      exception = underpaid;
      if (wasPaidLate)
        transitions.push({
          to: "expired",
          exception,
          event: "payment.reverted",
          reason: `${params.reason}: late transfer reverted`,
        });
    }
    const current = transitions.at(-1)?.to ?? from;
    if (current === "pending" && !full && params.chainTime !== null && params.chainTime > locked.expires_at) {
      exception = underpaid;
      transitions.push({
        to: "expired",
        exception,
        event: "payment.expired",
        reason: underpaid ? "expired with less than the amount received" : "expired without payment",
      });
    }
  } else if (from === "confirmed" && (exception === null || exception === "overpaid")) {
    // A top-up after confirmation makes it overpaid; a reorg taking the top-up back undoes that.
    exception = overpaid;
  }

  const to = transitions.at(-1)?.to ?? from;
  const now = params.now;
  await tx.payment.update({
    where: { id: params.paymentId },
    data: {
      amountReceived: received.toString(),
      confirmations,
      status: to,
      exception,
      ...(transitions.some((t) => t.to === "detected") ? { detectedAt: now } : {}),
      ...(to === "pending" && from === "detected" ? { detectedAt: null } : {}),
      ...(transitions.some((t) => t.to === "confirmed") ? { confirmedAt: now } : {}),
      ...(to === "expired" && from !== "expired" ? { expiredAt: now } : {}),
    },
    select: { id: true },
  });
  if (transitions.length === 0) return { status: to, exception, amountReceived: received, events: [] };

  const row = await tx.payment.findUniqueOrThrow({ where: { id: params.paymentId }, select: PAYMENT_SELECT });
  const object = serializePayment(row, params.baseUrl);
  let previous: Status = from;
  for (const [index, transition] of transitions.entries()) {
    // One millisecond apart, so the timeline and the events keep their order (detected, confirmed).
    const createdAt = new Date(now.getTime() + index);
    await tx.paymentStatusChange.create({
      data: {
        id: newId("psc"),
        paymentId: params.paymentId,
        fromStatus: previous,
        toStatus: transition.to,
        exception: transition.exception,
        reason: transition.reason,
        createdAt,
      },
      select: { id: true },
    });
    await recordEvent(tx, {
      merchantId: locked.merchant_id,
      type: transition.event,
      objectId: params.paymentId,
      object,
      createdAt,
    });
    previous = transition.to;
  }
  return { status: to, exception, amountReceived: received, events: transitions.map((t) => t.event) };
}
