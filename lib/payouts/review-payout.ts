import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { PAYOUT_SELECT, serializePayout, type TPayoutObject } from "./payout-object";
import { returnPayoutFunds } from "./return-payout-funds";

type Deps = { db: Db; chains: TChain[]; now?: Date };

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
  const now = deps.now ?? new Date();
  const { count } = await deps.db.payout.updateMany({
    where: { id, merchantId, status: "pending_approval" },
    data: { status: "approved", approvedAt: now },
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
export async function rejectPayout(deps: Deps, merchantId: string, id: string): Promise<TPayoutObject> {
  const now = deps.now ?? new Date();
  const rejected = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.payout.updateMany({
      where: { id, merchantId, status: "pending_approval" },
      data: { status: "rejected", lastError: "rejected by the merchant" },
    });
    if (count === 0) return null;
    await returnPayoutFunds(tx, id, { reason: "rejected by the merchant", createdAt: now });
    return tx.payout.findUniqueOrThrow({ where: { id }, select: PAYOUT_SELECT });
  });
  if (!rejected) throw await notPendingError(deps, merchantId, id, "rejected");
  return serializePayout(deps.chains, rejected);
}
