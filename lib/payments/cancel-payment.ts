import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";

/**
 * Cancels a pending payment that has received nothing. The conditional update is the guard: if the
 * watcher credits a transfer at the same moment, exactly one of the two wins.
 */
export async function cancelPayment(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
  baseUrl: string,
): Promise<TPaymentObject> {
  authorize(deps.actor, merchantId, "payments:write");
  return deps.db.$transaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.payment.updateMany({
      where: { id, merchantId, status: "pending", amountReceived: 0 },
      data: { status: "canceled", canceledAt: now },
    });
    if (count === 0) {
      const existing = await tx.payment.findFirst({ where: { id, merchantId }, select: { status: true } });
      if (!existing) throw new AppError("not_found", `No such payment: ${id}`);
      throw new AppError(
        "invalid_state",
        existing.status === "pending"
          ? "This payment has already received funds and can no longer be canceled."
          : `A ${existing.status} payment cannot be canceled.`,
      );
    }
    await tx.paymentStatusChange.create({
      data: {
        id: newId("psc"),
        paymentId: id,
        fromStatus: "pending",
        toStatus: "canceled",
        reason: "canceled by the merchant",
        createdAt: now,
      },
    });
    const row = await tx.payment.findUniqueOrThrow({ where: { id }, select: PAYMENT_SELECT });
    const payment = serializePayment(row, baseUrl);
    await recordEvent(tx, {
      merchantId,
      type: "payment.canceled",
      objectId: id,
      object: payment,
      createdAt: now,
    });
    return payment;
  });
}
