import { reverseSettledCredits } from "../balances/reverse-settled-credit";
import type { Tx } from "../db/client";
import type { TEventType } from "../events/event-object";
import { recordEvents } from "../events/record-event";
import { newId } from "../ids";
import { type CreditedTransfer, type LockedPayment, nextPaymentState } from "./payment-lifecycle";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";
import {
  asJudgedPayment,
  type FiatLockedColumns,
  type FiatTransferColumns,
  updateFiatPayments,
} from "./recompute-fiat-payment";

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
  /**
   * Set when a chain reorganisation runs the recompute: its depth and, per payment, the transfers
   * it removed; `payment.reverted` events carry them as `data.reorg`.
   */
  reorg?: { depth: number; removed: ReadonlyMap<string, readonly RemovedTransfer[]> };
};

/** A transfer a reorg took off the canonical chain, as `payment.reverted` reports it. */
export type RemovedTransfer = {
  tx_hash: string;
  log_index: number;
  amount: string;
  block_number: string;
  block_hash: string;
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
  const lockedRows = await tx.$queryRaw<(LockedPayment & FiatLockedColumns)[]>`
    SELECT id, merchant_id, status, exception, amount::text AS amount, required_confirmations, expires_at,
      accepted_amount::text AS accepted_amount, price_amount::text AS price_amount, underpayment_tolerance_bps
    FROM payments WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  // A fiat-priced payment is judged on value (price currency), not on coin amounts.
  const locked = lockedRows.map(asJudgedPayment);
  if (locked.length === 0) return results;
  const transferRows = await tx.$queryRaw<
    (FiatTransferColumns & {
      payment_id: string;
      amount: string;
      block_timestamp: Date;
      confirmations: number;
      status: CreditedTransfer["status"];
    })[]
  >`SELECT payment_id, amount::text AS amount, block_timestamp, confirmations, status, chain, token_address,
      fiat_value::text AS fiat_value FROM transfers
    WHERE payment_id = ANY(${ids}::text[]) AND status <> 'reverted'
    ORDER BY payment_id, block_number, log_index`;
  const fiatIds = new Set(lockedRows.flatMap((row) => (row.price_amount === null ? [] : [row.id])));
  const transfersOf = new Map<string, CreditedTransfer[]>();
  for (const row of transferRows) {
    const list = transfersOf.get(row.payment_id) ?? [];
    list.push({
      amount: fiatIds.has(row.payment_id) ? BigInt(row.fiat_value ?? "0") : BigInt(row.amount),
      blockTimestamp: row.block_timestamp,
      confirmations: row.confirmations,
      status: row.status,
      ownChainRule: fiatIds.has(row.payment_id),
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
      confirmed_at = CASE WHEN v.confirmed THEN ${now} WHEN v.unconfirmed THEN NULL ELSE p.confirmed_at END,
      expired_at = CASE WHEN v.expired THEN ${now} ELSE p.expired_at END,
      updated_at = now()
    FROM unnest(${column((e) => e.payment.id)}::text[],
      ${column((e) => e.state.received.toString())}::numeric[],
      ${column((e) => e.state.confirmations)}::int[], ${column((e) => e.state.status)}::text[],
      ${column((e) => e.state.exception)}::text[],
      ${column((e) => e.state.transitions.some((t) => t.to === "detected"))}::boolean[],
      ${column((e) => e.state.status === "pending" && e.payment.status !== "pending")}::boolean[],
      ${column((e) => e.state.transitions.some((t) => t.to === "confirmed"))}::boolean[],
      ${column((e) => e.payment.status === "confirmed" && e.state.status !== "confirmed")}::boolean[],
      ${column((e) => e.state.status === "expired" && e.payment.status !== "expired")}::boolean[])
      AS v(id, amount_received, confirmations, status, exception, detected, undetected, confirmed,
        unconfirmed, expired)
    WHERE p.id = v.id`;
  await updateFiatPayments(
    tx,
    states.flatMap(({ payment, state }) =>
      fiatIds.has(payment.id) ? [{ id: payment.id, value: state.received }] : [],
    ),
    transferRows.filter((row) => fiatIds.has(row.payment_id)),
  );
  for (const { payment, state } of states)
    results.set(payment.id, {
      status: state.status,
      exception: state.exception,
      amountReceived: state.received,
      events: state.transitions.map((t) => t.event),
    });

  const transitioned = states.filter(({ state }) => state.transitions.length > 0);
  if (transitioned.length === 0) return results;
  // Funds already settled cannot be un-moved: the books are corrected and an incident is raised.
  await reverseSettledCredits(
    tx,
    transitioned.flatMap(({ payment, state }) =>
      state.transitions.some((t) => t.exception === "reorged_after_settlement" && t.to === "settled")
        ? [payment.id]
        : [],
    ),
    { now, depth: params.reorg?.depth ?? null },
  );
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
      object: withReorg(
        objectOf.get(payment.id) as TPaymentObject,
        transition.event,
        payment.id,
        params.reorg,
      ),
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

/**
 * The stored event data: the payment object, and for `payment.reverted` caused by a reorg its depth
 * and the transfers removed (serializeEvent moves `reorg` beside the object: `data.reorg`).
 */
function withReorg(
  object: TPaymentObject,
  event: TEventType,
  paymentId: string,
  reorg: RecomputePaymentsParams["reorg"],
): object {
  if (event !== "payment.reverted" || !reorg) return object;
  return { ...object, reorg: { depth: reorg.depth, transfers_removed: reorg.removed.get(paymentId) ?? [] } };
}
