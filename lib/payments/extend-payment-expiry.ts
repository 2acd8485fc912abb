import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { type RequestOrigin, recordAuditEntry } from "../audit/record-audit-entry";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

/** At most a week past now: a checkout left open longer is better re-created. */
export const MAX_EXPIRY_EXTENSION_MINUTES = 7 * 24 * 60;

export const ZExtendPaymentExpiry = z.strictObject({
  /** Minutes added to the later of the current expiry and now. */
  extend_by_minutes: z.number().int().min(1).max(MAX_EXPIRY_EXTENSION_MINUTES),
});
export type TExtendPaymentExpiry = z.infer<typeof ZExtendPaymentExpiry>;

/**
 * Gives the customer more time: a `pending` payment (nothing or only part received) expires later.
 * The row is locked, so the expiry job — which re-reads `expires_at` under the same lock — either
 * expires it before (then this is a 409) or sees the new time. Anything but pending is a 409; another
 * merchant's payment a 404. Audited.
 */
export async function extendPaymentExpiry(
  deps: { db: Db; baseUrl: string } & AccessDeps & { origin?: RequestOrigin },
  merchantId: string,
  paymentId: string,
  input: TExtendPaymentExpiry,
  now: Date = new Date(),
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:write");
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string; expires_at: Date }[]>`
      SELECT status, expires_at FROM payments
      WHERE id = ${paymentId} AND merchant_id = ${merchantId} FOR UPDATE`;
    if (!locked) throw new AppError("not_found", `No such payment: ${paymentId}`);
    if (locked.status !== "pending")
      throw new AppError(
        "invalid_state",
        `Only a pending payment's expiry can be extended; this one is ${locked.status}.`,
      );
    const from = locked.expires_at > now ? locked.expires_at : now;
    const expiresAt = new Date(from.getTime() + input.extend_by_minutes * 60_000);
    const latest = new Date(now.getTime() + MAX_EXPIRY_EXTENSION_MINUTES * 60_000);
    if (expiresAt > latest)
      throw new AppError(
        "validation_failed",
        `The payment would expire more than ${MAX_EXPIRY_EXTENSION_MINUTES / 1440} days from now; extend it by less.`,
        { errors: [{ path: "extend_by_minutes", message: "puts the expiry more than 7 days from now" }] },
      );
    await tx.payment.update({ where: { id: paymentId }, data: { expiresAt }, select: { id: true } });
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "payment.expiry_extended",
      targetId: paymentId,
      details: { from: locked.expires_at.toISOString(), to: expiresAt.toISOString() },
      origin: deps.origin,
    });
    return serializePayment(
      await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: PAYMENT_SELECT }),
      deps.baseUrl,
    );
  });
}
