import { knownApiKeyPermissions } from "../access/permissions";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { PAYOUT_SELECT, serializePayout, type TPayoutObject } from "./payout-object";
import { returnPayoutFunds } from "./return-payout-funds";

type Deps = { db: Db; chains: TChain[]; now?: Date };

/**
 * Who approves or rejects: an API key (it needs the `payouts:approve` permission) or a signed-in
 * dashboard user (it must be the merchant's owner). Both go through the one check below.
 */
export type PayoutReviewer = { type: "api_key"; apiKeyId: string } | { type: "user"; userId: string };

/**
 * Approval is the owner's privilege: an integration key that leaked could otherwise create a payout
 * to the attacker and approve it. Read from the database, not from what the caller claims. Returns
 * the id recorded as `reviewed_by`.
 */
async function authorizeReviewer(deps: Deps, merchantId: string, reviewer: PayoutReviewer): Promise<string> {
  if (reviewer.type === "user") {
    const owner = await deps.db.user.findFirst({
      where: { id: reviewer.userId, merchantId, role: "owner" },
      select: { id: true },
    });
    if (!owner) throw new AppError("forbidden", "Only the merchant owner can approve or reject payouts.");
    return owner.id;
  }
  const key = await deps.db.apiKey.findFirst({
    where: { id: reviewer.apiKeyId, merchantId, revokedAt: null },
    select: { id: true, permissions: true },
  });
  if (!key || !knownApiKeyPermissions(key.permissions).includes("payouts:approve"))
    throw new AppError(
      "forbidden",
      "This API key cannot approve or reject payouts: that needs the payouts:approve permission, which " +
        "only the merchant owner grants when creating a key in the dashboard (or the operator with " +
        "`npm run admin -- create-api-key --permission payouts:approve`). The owner can also review the " +
        "payout in the dashboard.",
    );
  return key.id;
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
export async function approvePayout(
  deps: Deps,
  merchantId: string,
  id: string,
  reviewer: PayoutReviewer,
): Promise<TPayoutObject> {
  const reviewedBy = await authorizeReviewer(deps, merchantId, reviewer);
  const now = deps.now ?? new Date();
  const { count } = await deps.db.payout.updateMany({
    where: { id, merchantId, status: "pending_approval" },
    data: { status: "approved", approvedAt: now, reviewedBy },
  });
  if (count === 0) throw await notPendingError(deps, merchantId, id, "approved");
  const row = await deps.db.payout.findUniqueOrThrow({ where: { id }, select: PAYOUT_SELECT });
  return serializePayout(deps.chains, row);
}

/**
 * The owner rejects a payout waiting for approval: it becomes `rejected` and its reserved funds
 * return with a `payout_reversed` entry, in one transaction (the conditional update is the guard
 * against a concurrent approve).
 */
export async function rejectPayout(
  deps: Deps,
  merchantId: string,
  id: string,
  reviewer: PayoutReviewer,
): Promise<TPayoutObject> {
  const reviewedBy = await authorizeReviewer(deps, merchantId, reviewer);
  const now = deps.now ?? new Date();
  const rejected = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.payout.updateMany({
      where: { id, merchantId, status: "pending_approval" },
      data: { status: "rejected", lastError: "rejected by the merchant", reviewedBy },
    });
    if (count === 0) return null;
    await returnPayoutFunds(tx, id, { reason: "rejected by the merchant", createdAt: now });
    return tx.payout.findUniqueOrThrow({ where: { id }, select: PAYOUT_SELECT });
  });
  if (!rejected) throw await notPendingError(deps, merchantId, id, "rejected");
  return serializePayout(deps.chains, rejected);
}
