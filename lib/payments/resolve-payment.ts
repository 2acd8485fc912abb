import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject } from "./payment-object";
import { recomputePayment } from "./recompute-payment";

/**
 * Accepts an expired payment as paid: one paid in full after its expiry (`paid_late`), or one that
 * expired with part of the amount received (`underpaid`: the merchant takes what arrived as the
 * price, and the payment remembers that amount). It becomes confirmed, keeping the exception as the
 * record of how it got there, and is settled like any confirmed payment. Its transfers must have the
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
    if (locked.status !== "expired" || (locked.exception !== "paid_late" && locked.exception !== "underpaid"))
      throw new AppError(
        "invalid_state",
        `Only an expired payment paid late or underpaid can be accepted; this one is ${locked.status}${locked.exception ? ` (${locked.exception})` : ""}.`,
      );
    const underpaid = locked.exception === "underpaid";
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
        `The ${underpaid ? "partial" : "late"} payment does not have the required confirmations yet; try again shortly.`,
      );
    // What has arrived, as the lifecycle counts it (a fiat-priced payment: its value): the amount
    // accepted. The recompute also catches a transfer scanned since (still expired and underpaid).
    const current = await recomputePayment(tx, {
      paymentId: id,
      baseUrl,
      now,
      chainTime: null,
      reason: "accepting the payment",
    });
    if (current?.status !== "expired" || current.exception !== locked.exception)
      throw new AppError(
        "invalid_state",
        "The payment changed while it was being accepted; look at it again.",
      );
    await tx.payment.update({
      where: { id },
      data: {
        status: "confirmed",
        confirmedAt: now,
        ...(underpaid ? { acceptedAmount: current.amountReceived.toString() } : {}),
      },
      select: { id: true },
    });
    await tx.paymentStatusChange.create({
      data: {
        id: newId("psc"),
        paymentId: id,
        fromStatus: "expired",
        toStatus: "confirmed",
        exception: locked.exception as "paid_late" | "underpaid",
        reason: underpaid
          ? "partial payment accepted as paid by the merchant"
          : "late payment accepted by the merchant",
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
