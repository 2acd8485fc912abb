import type { TPayoutObject } from "../payouts/payout-object";

export type PayoutStep = {
  label: string;
  /** ISO time it happened, null when not (yet) reached or not timestamped. */
  at: string | null;
  state: "done" | "current" | "upcoming" | "failed";
  detail: string | null;
};

/**
 * The steps of a payout for its page: created → approved → sent → confirmed, or the rejection or
 * failure that ended it (with the recorded reason).
 */
export function payoutTimeline(payout: TPayoutObject): PayoutStep[] {
  const created: PayoutStep = { label: "Created", at: payout.created_at, state: "done", detail: null };
  if (payout.status === "rejected")
    return [created, { label: "Rejected", at: null, state: "failed", detail: payout.last_error }];
  const reached = (at: string | null, current: boolean): PayoutStep["state"] =>
    at ? "done" : current ? "current" : "upcoming";
  const steps: PayoutStep[] = [
    created,
    {
      label: "Approved",
      at: payout.approved_at,
      state: reached(payout.approved_at, payout.status === "pending_approval"),
      detail: payout.status === "pending_approval" ? "waiting for the owner's approval" : null,
    },
    {
      label: "Sent",
      at: payout.sent_at,
      state: reached(payout.sent_at, payout.status === "approved"),
      detail: payout.status === "approved" ? "queued for signing and broadcast" : null,
    },
  ];
  if (payout.status === "failed")
    return [...steps, { label: "Failed", at: null, state: "failed", detail: payout.last_error }];
  return [
    ...steps,
    {
      label: "Confirmed",
      at: payout.confirmed_at,
      state: reached(payout.confirmed_at, payout.status === "sent"),
      detail: payout.status === "sent" ? "waiting for confirmations" : null,
    },
  ];
}
