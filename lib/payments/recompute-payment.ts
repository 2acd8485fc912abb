import type { Tx } from "../db/client";
import type { TEventType } from "../events/event-object";
import { recordEvents } from "../events/record-event";
import { newId } from "../ids";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

type Status = TPaymentObject["status"];
type Exception = TPaymentObject["exception"];

export type RecomputePaymentsParams = {
  /** The payments to recompute (any order, duplicates ignored; unknown ids are skipped). */
  paymentIds: readonly string[];
  baseUrl: string;
  now: Date;
  /**
   * Time up to which the payments' chain has been fully scanned (the timestamp of the last scanned
   * block). Expiry is judged against it, never the wall clock alone: a payment made before its
   * expiry but scanned later is not expired. Null = unknown, nothing expires.
   */
  chainTime: Date | null;
  /** Why the recompute runs, for the timeline (e.g. "transfer detected", "chain reorganisation"). */
  reason: string | ((paymentId: string) => string);
};

export type RecomputePaymentParams = Omit<RecomputePaymentsParams, "paymentIds" | "reason"> & {
  paymentId: string;
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

/** A payment row as the lifecycle rules read it (locked). */
export type LockedPayment = {
  id: string;
  merchant_id: string;
  status: Status;
  exception: Exception;
  amount: string;
  required_confirmations: number;
  expires_at: Date;
};

/** A non-reverted transfer of the payment, in chain order. */
export type CreditedTransfer = {
  amount: bigint;
  blockTimestamp: Date;
  confirmations: number;
  status: "confirming" | "confirmed" | "reverted";
};

export type PaymentState = {
  status: Status;
  exception: Exception;
  received: bigint;
  confirmations: number;
  transitions: Transition[];
};

/**
 * The payment lifecycle (DESIGN.md "Payment lifecycle"), as a pure function of the payment and its
 * non-reverted transfers in chain order: amount received = their sum; pending → detected (≥
 * amount) → confirmed (≥ amount, every transfer at the required confirmations, `overpaid` if more);
 * detected → pending on a reorg (`payment.reverted`); pending → expired once the chain's scanned
 * time passes the expiry (`underpaid` if anything arrived); a full payment whose paying transfer is
 * in a block after the expiry → expired with `paid_late`. Confirmed, settled and canceled payments
 * only get their amounts refreshed (and a confirmed one its `overpaid` exception, both ways).
 */
export function nextPaymentState(
  locked: LockedPayment,
  transfers: readonly CreditedTransfer[],
  params: { chainTime: Date | null; reason: string },
): PaymentState {
  const amount = BigInt(locked.amount);
  const required = locked.required_confirmations;
  let received = 0n;
  let paidAt: Date | null = null;
  for (const transfer of transfers) {
    received += transfer.amount;
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
  return { status: transitions.at(-1)?.to ?? from, exception, received, confirmations, transitions };
}

/**
 * Recomputes payments from their transfers ({@link nextPaymentState}) under row locks, and writes
 * every transition with its timeline entry and event in the caller's transaction. The number of
 * queries does not depend on the number of payments: one to lock and read them (in id order, so
 * two workers never deadlock), one for their transfers, one update of them all, and for those that
 * transitioned one read of their objects, one insert of timeline entries and one of events.
 */
export async function recomputePayments(
  tx: Tx,
  params: RecomputePaymentsParams,
): Promise<Map<string, NonNullable<RecomputePaymentReturnType>>> {
  const results = new Map<string, NonNullable<RecomputePaymentReturnType>>();
  const ids = [...new Set(params.paymentIds)].sort();
  if (ids.length === 0) return results;
  // The locks serialise two workers (scanner, expiry, resolve) on the same payment.
  const locked = await tx.$queryRaw<LockedPayment[]>`
    SELECT id, merchant_id, status, exception, amount::text AS amount, required_confirmations, expires_at
    FROM payments WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return results;
  const transferRows = await tx.$queryRaw<
    {
      payment_id: string;
      amount: string;
      block_timestamp: Date;
      confirmations: number;
      status: CreditedTransfer["status"];
    }[]
  >`SELECT payment_id, amount::text AS amount, block_timestamp, confirmations, status FROM transfers
    WHERE payment_id = ANY(${ids}::text[]) AND status <> 'reverted'
    ORDER BY payment_id, block_number, log_index`;
  const transfersOf = new Map<string, CreditedTransfer[]>();
  for (const row of transferRows) {
    const list = transfersOf.get(row.payment_id) ?? [];
    list.push({
      amount: BigInt(row.amount),
      blockTimestamp: row.block_timestamp,
      confirmations: row.confirmations,
      status: row.status,
    });
    transfersOf.set(row.payment_id, list);
  }

  const { now, reason } = params;
  const reasonOf = typeof reason === "string" ? () => reason : reason;
  const states = locked.map((payment) => ({
    payment,
    state: nextPaymentState(payment, transfersOf.get(payment.id) ?? [], {
      chainTime: params.chainTime,
      reason: reasonOf(payment.id),
    }),
  }));
  const column = <T>(pick: (entry: (typeof states)[number]) => T) => states.map(pick);
  await tx.$executeRaw`
    UPDATE payments AS p SET amount_received = v.amount_received, confirmations = v.confirmations,
      status = v.status::payment_status, exception = v.exception::payment_exception,
      detected_at = CASE WHEN v.detected THEN ${now} WHEN v.undetected THEN NULL ELSE p.detected_at END,
      confirmed_at = CASE WHEN v.confirmed THEN ${now} ELSE p.confirmed_at END,
      expired_at = CASE WHEN v.expired THEN ${now} ELSE p.expired_at END,
      updated_at = now()
    FROM unnest(${column((e) => e.payment.id)}::text[],
      ${column((e) => e.state.received.toString())}::numeric[],
      ${column((e) => e.state.confirmations)}::int[], ${column((e) => e.state.status)}::text[],
      ${column((e) => e.state.exception)}::text[],
      ${column((e) => e.state.transitions.some((t) => t.to === "detected"))}::boolean[],
      ${column((e) => e.state.status === "pending" && e.payment.status === "detected")}::boolean[],
      ${column((e) => e.state.transitions.some((t) => t.to === "confirmed"))}::boolean[],
      ${column((e) => e.state.status === "expired" && e.payment.status !== "expired")}::boolean[])
      AS v(id, amount_received, confirmations, status, exception, detected, undetected, confirmed, expired)
    WHERE p.id = v.id`;
  for (const { payment, state } of states)
    results.set(payment.id, {
      status: state.status,
      exception: state.exception,
      amountReceived: state.received,
      events: state.transitions.map((t) => t.event),
    });

  const transitioned = states.filter(({ state }) => state.transitions.length > 0);
  if (transitioned.length === 0) return results;
  const rows = await tx.payment.findMany({
    where: { id: { in: transitioned.map(({ payment }) => payment.id) } },
    select: PAYMENT_SELECT,
  });
  // Locked above, so every transitioned payment is there.
  const objectOf = new Map(rows.map((row) => [row.id, serializePayment(row, params.baseUrl)]));
  const changes = transitioned.flatMap(({ payment, state }) =>
    state.transitions.map((transition, index) => ({
      payment,
      transition,
      previous: index === 0 ? payment.status : (state.transitions[index - 1]?.to ?? payment.status),
      // One millisecond apart, so the timeline and the events keep their order (detected, confirmed).
      createdAt: new Date(now.getTime() + index),
    })),
  );
  await tx.$executeRaw`
    INSERT INTO payment_status_changes (id, payment_id, from_status, to_status, exception, reason, created_at)
    SELECT c.id, c.payment_id, c.from_status::payment_status, c.to_status::payment_status,
      c.exception::payment_exception, c.reason, c.created_at
    FROM unnest(${changes.map(() => newId("psc"))}::text[], ${changes.map((c) => c.payment.id)}::text[],
      ${changes.map((c) => c.previous)}::text[], ${changes.map((c) => c.transition.to)}::text[],
      ${changes.map((c) => c.transition.exception)}::text[], ${changes.map((c) => c.transition.reason)}::text[],
      ${changes.map((c) => c.createdAt)}::timestamptz[])
      AS c(id, payment_id, from_status, to_status, exception, reason, created_at)`;
  await recordEvents(
    tx,
    changes.map(({ payment, transition, createdAt }) => ({
      merchantId: payment.merchant_id,
      type: transition.event,
      objectId: payment.id,
      object: objectOf.get(payment.id) as TPaymentObject,
      createdAt,
    })),
  );
  return results;
}

/** {@link recomputePayments} for one payment; null if it does not exist. */
export async function recomputePayment(
  tx: Tx,
  params: RecomputePaymentParams,
): Promise<RecomputePaymentReturnType> {
  const { paymentId, ...rest } = params;
  const results = await recomputePayments(tx, { ...rest, paymentIds: [paymentId] });
  return results.get(paymentId) ?? null;
}
