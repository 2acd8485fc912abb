import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

/**
 * Accepts a payment that was paid in full after its expiry (`exception: "paid_late"`): it becomes
 * confirmed, keeping the exception as the record of how it got there. Its transfers must have the
 * required confirmations; anything else is a 409 `invalid_state`.
 */
export async function resolvePayment(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
  baseUrl: string,
  now: Date = new Date(),
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:write");
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string; exception: string | null; required: number }[]>`
      SELECT status, exception, required_confirmations AS required FROM payments
      WHERE id = ${id} AND merchant_id = ${merchantId} FOR UPDATE`;
    if (!locked) throw new AppError("not_found", `No such payment: ${id}`);
    if (locked.status !== "expired" || locked.exception !== "paid_late")
      throw new AppError(
        "invalid_state",
        `Only an expired payment paid late can be resolved; this one is ${locked.status}${locked.exception ? ` (${locked.exception})` : ""}.`,
      );
    const unconfirmed = await tx.transfer.count({
      where: {
        paymentId: id,
        status: { not: "reverted" },
        AND: [{ status: { not: "confirmed" } }, { confirmations: { lt: locked.required } }],
      },
    });
    if (unconfirmed > 0)
      throw new AppError(
        "invalid_state",
        "The late payment does not have the required confirmations yet; try again shortly.",
      );
    await tx.payment.update({
      where: { id },
      data: { status: "confirmed", confirmedAt: now },
      select: { id: true },
    });
    await tx.paymentStatusChange.create({
      data: {
        id: newId("psc"),
        paymentId: id,
        fromStatus: "expired",
        toStatus: "confirmed",
        exception: "paid_late",
        reason: "late payment accepted by the merchant",
        createdAt: now,
      },
      select: { id: true },
    });
    const payment = serializePayment(
      await tx.payment.findUniqueOrThrow({ where: { id }, select: PAYMENT_SELECT }),
      baseUrl,
    );
    await recordEvent(tx, {
      merchantId,
      type: "payment.confirmed",
      objectId: id,
      object: payment,
      createdAt: now,
    });
    return payment;
  });
}
