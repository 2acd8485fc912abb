import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { PAYOUT_SELECT, serializePayout, type TPayoutObject } from "./payout-object";

/** A payout of this merchant; another merchant's payout is a 404 like a missing one. */
export async function getPayoutOrThrow(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TPayoutObject> {
  authorize(deps.actor, merchantId, "payouts:read");
  const row = await deps.db.payout.findFirst({ where: { id, merchantId }, select: PAYOUT_SELECT });
  if (!row) throw new AppError("not_found", `No such payout: ${id}`);
  return serializePayout(deps.chains, row);
}
