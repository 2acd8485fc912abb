import { type AccessDeps, type Actor, authorize } from "../access/actor";
import { recordAuditEntry } from "../audit/record-audit-entry";
import type { TChain } from "../config/chains";
import type { Db, Tx } from "../db/client";
import { AppError } from "../errors";
import { OPERATOR_REVIEW, PAYOUT_SELECT, serializePayout, type TPayoutObject } from "./payout-object";
import { returnPayoutFunds } from "./return-payout-funds";

type Deps = { db: Db; chains: TChain[]; now?: Date } & AccessDeps;

/**
 * Approval is the owner's privilege (`payouts:approve`: the owner, a key the owner granted it, the
 * operator): an integration key that leaked could otherwise create a payout to the attacker and
 * approve it. Returns the id recorded as `reviewed_by`.
 */
function reviewerId(actor: Actor, merchantId: string): string {
  authorize(actor, merchantId, "payouts:approve");
  if (actor.type === "api_key") return actor.apiKeyId;
  if (actor.type === "user") return actor.userId;
  return OPERATOR_REVIEW;
}

async function recordReview(tx: Tx, deps: Deps, merchantId: string, id: string, approved: boolean) {
  await recordAuditEntry(tx, {
    merchantId,
    actor: deps.actor,
    action: approved ? "payout.approved" : "payout.rejected",
    targetId: id,
    origin: deps.origin,
  });
}

async function notPendingError(deps: Deps, merchantId: string, id: string, verb: string): Promise<AppError> {
  const existing = await deps.db.payout.findFirst({ where: { id, merchantId }, select: { status: true } });
  if (!existing) return new AppError("not_found", `No such payout: ${id}`);
  return new AppError(
    "invalid_state",
    `Only a payout pending approval can be ${verb}; this one is ${existing.status}.`,
  );
}

/** The owner approves a payout waiting for approval; the payout runner then sends it. */
export async function approvePayout(deps: Deps, merchantId: string, id: string): Promise<TPayoutObject> {
  const reviewedBy = reviewerId(deps.actor, merchantId);
  const now = deps.now ?? new Date();
  const approved = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.payout.updateMany({
      where: { id, merchantId, status: "pending_approval" },
      data: { status: "approved", approvedAt: now, reviewedBy },
    });
    if (count === 0) return null;
    await recordReview(tx, deps, merchantId, id, true);
    return tx.payout.findUniqueOrThrow({ where: { id }, select: PAYOUT_SELECT });
  });
  if (!approved) throw await notPendingError(deps, merchantId, id, "approved");
  return serializePayout(deps.chains, approved);
}

/**
 * The owner rejects a payout waiting for approval: it becomes `rejected` and its reserved funds
 * return with a `payout_reversed` entry, in one transaction (the conditional update is the guard
 * against a concurrent approve).
 */
export async function rejectPayout(deps: Deps, merchantId: string, id: string): Promise<TPayoutObject> {
  const reviewedBy = reviewerId(deps.actor, merchantId);
  const now = deps.now ?? new Date();
  const rejected = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.payout.updateMany({
      where: { id, merchantId, status: "pending_approval" },
      data: { status: "rejected", lastError: "rejected by the merchant", reviewedBy },
    });
    if (count === 0) return null;
    await returnPayoutFunds(tx, id, { reason: "rejected by the merchant", createdAt: now });
    await recordReview(tx, deps, merchantId, id, false);
    return tx.payout.findUniqueOrThrow({ where: { id }, select: PAYOUT_SELECT });
  });
  if (!rejected) throw await notPendingError(deps, merchantId, id, "rejected");
  return serializePayout(deps.chains, rejected);
}
