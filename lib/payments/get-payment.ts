import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

/** A payment of this merchant; another merchant's id is indistinguishable from a missing one. */
export async function getPaymentOrThrow(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
  baseUrl: string,
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:read");
  const row = await deps.db.payment.findFirst({ where: { id, merchantId }, select: PAYMENT_SELECT });
  if (!row) throw new AppError("not_found", `No such payment: ${id}`);
  return serializePayment(row, baseUrl);
}
