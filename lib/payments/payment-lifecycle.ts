// The payment lifecycle (DESIGN.md "Payment lifecycle") as one pure function of a payment and its
// transfers on the canonical chain. recompute-payment.ts runs it under row locks and writes what it
// returns; payment-lifecycle.test.ts checks its full table (every status × every event).
import type { TEventType } from "../events/event-object";
import type { TPaymentObject } from "./payment-object";

type Status = TPaymentObject["status"];
type Exception = TPaymentObject["exception"];

export type Transition = { to: Status; exception: Exception; event: TEventType; reason: string };

/** A payment row as the lifecycle rules read it (locked). */
export type LockedPayment = {
  id: string;
  merchant_id: string;
  status: Status;
  exception: Exception;
  amount: string;
  required_confirmations: number;
  expires_at: Date;
  /**
   * Fiat-priced payments: `amount` is the price less the tolerance (what makes it paid) and this the
   * price itself (above it, `overpaid`). Null/absent: `amount`.
   */
  overpaid_above?: string | null;
  /**
   * An underpayment the merchant accepted (confirmed or settled with exception `underpaid`): what had
   * arrived then, in `amount`'s units; it takes the place of `amount` while the payment holds it.
   */
  accepted_amount?: string | null;
};

/** A non-reverted transfer of the payment, in chain order. */
export type CreditedTransfer = {
  amount: bigint;
  blockTimestamp: Date;
  confirmations: number;
  status: "confirming" | "confirmed" | "reverted";
  /**
   * Confirmed only by its own chain's rule (the scanner's status), never by the payment's count: a
   * fiat-priced payment's options may be on chains that need more confirmations than the one the
   * payment was created on.
   */
  ownChainRule?: boolean;
};

export type PaymentState = {
  status: Status;
  exception: Exception;
  received: bigint;
  confirmations: number;
  transitions: Transition[];
};

/**
 * The next state of a payment from its non-reverted transfers in chain order (what the canonical
 * chain holds): amount received = their sum;
 * - pending → detected (≥ amount) → confirmed (≥ amount, every transfer at the required
 *   confirmations, `overpaid` if more); detected → pending when a reorg takes the amount away;
 *   pending → expired once the chain's scanned time passes the expiry (`underpaid` if anything
 *   arrived); a full payment whose paying transfer is in a block after the expiry → expired with
 *   `paid_late`, and back to expired (`underpaid`/none) with `payment.reverted` if that goes away.
 * - confirmed is not final: when the transfers that are at the required confirmations no longer
 *   cover the amount (a reorg deeper than the confirmations), it drops back with `payment.reverted`
 *   to detected (the amount is still there, waiting for confirmations again) or pending (then
 *   possibly expired); a late payment that had been accepted drops back to expired.
 * - settled: the funds were already moved, so a reorg taking the amount away cannot be undone here:
 *   the payment keeps its status, gets the exception `reorged_after_settlement` and
 *   `payment.reverted` (once), and the caller corrects the books and raises the alert.
 * - an underpayment the merchant accepted (resolve-payment.ts: confirmed, `underpaid`,
 *   `accepted_amount`) is judged against the amount accepted: back to expired with
 *   `payment.reverted` when less than it is confirmed; settled with less than it on the chain is
 *   `reorged_after_settlement`; topped up to the full amount it loses the exception.
 * - canceled payments only get their amounts refreshed (and a confirmed one its `overpaid`
 *   exception, both ways).
 */
export function nextPaymentState(
  locked: LockedPayment,
  transfers: readonly CreditedTransfer[],
  params: { chainTime: Date | null; reason: string },
): PaymentState {
  const amount = BigInt(locked.amount);
  const required = locked.required_confirmations;
  const isConfirmed = (t: CreditedTransfer) =>
    t.status === "confirmed" || (!t.ownChainRule && t.confirmations >= required);
  let received = 0n;
  let confirmedReceived = 0n;
  let paidAt: Date | null = null;
  for (const transfer of transfers) {
    received += transfer.amount;
    if (isConfirmed(transfer)) confirmedReceived += transfer.amount;
    if (paidAt === null && received >= amount) paidAt = transfer.blockTimestamp;
  }
  const allConfirmed = transfers.length > 0 && transfers.every(isConfirmed);
  const confirmations = transfers.length === 0 ? 0 : Math.min(...transfers.map((t) => t.confirmations));
  const overpaidAbove = locked.overpaid_above == null ? amount : BigInt(locked.overpaid_above);
  const overpaid: Exception = received > overpaidAbove ? "overpaid" : null;
  const underpaid: Exception = received > 0n ? "underpaid" : null;
  const full = received >= amount;

  const transitions: Transition[] = [];
  let exception = locked.exception;
  const from = locked.status;
  const accepted =
    exception === "underpaid" && locked.accepted_amount != null ? BigInt(locked.accepted_amount) : null;
  if (from === "confirmed" && accepted !== null) {
    // An accepted underpayment holds while what was accepted is confirmed on the chain; a reorg
    // taking part of it sends it back to expired (the merchant may accept again); a top-up to the full
    // amount, confirmed, makes it an ordinary confirmed payment.
    if (confirmedReceived < accepted) {
      const reverted: Transition = {
        to: "expired",
        exception: underpaid,
        event: "payment.reverted",
        reason: `${params.reason}: accepted underpayment no longer on the chain`,
      };
      const rest = nextPaymentState(
        { ...locked, status: "expired", exception: underpaid },
        transfers,
        params,
      );
      return { ...rest, transitions: [reverted, ...rest.transitions] };
    }
    if (confirmedReceived >= amount) exception = overpaid;
  } else if (from === "pending" || from === "detected" || from === "expired") {
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
          reason: transfers.some((t) => t.ownChainRule)
            ? `${params.reason}: every transfer confirmed on its chain`
            : `${params.reason}: ${required} confirmations reached`,
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
  } else if (from === "confirmed" && confirmedReceived < amount) {
    // The confirmed funds are no longer on the canonical chain: confirmed was not final. Back to
    // where the chain puts it (an accepted late payment back to expired), then on from there.
    const late = locked.exception === "paid_late";
    const back: Status = late ? "expired" : full ? "detected" : "pending";
    const backException: Exception = late ? (full ? "paid_late" : underpaid) : full ? overpaid : null;
    const reverted: Transition = {
      to: back,
      exception: backException,
      event: "payment.reverted",
      reason: full
        ? `${params.reason}: confirmed transfer reverted, waiting for confirmations again`
        : `${params.reason}: confirmed transfer reverted, amount no longer received`,
    };
    const rest = nextPaymentState({ ...locked, status: back, exception: backException }, transfers, params);
    return { ...rest, transitions: [reverted, ...rest.transitions] };
  } else if (from === "confirmed" && (exception === null || exception === "overpaid")) {
    // A top-up after confirmation makes it overpaid; a reorg taking the top-up back undoes that.
    exception = overpaid;
  } else if (
    from === "settled" &&
    (accepted === null ? !full : received < accepted) &&
    exception !== "reorged_after_settlement"
  ) {
    exception = "reorged_after_settlement";
    transitions.push({
      to: "settled",
      exception,
      event: "payment.reverted",
      reason: `${params.reason}: transfer reverted after the funds were settled`,
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
  return { status: transitions.at(-1)?.to ?? from, exception, received, confirmations, transitions };
}
