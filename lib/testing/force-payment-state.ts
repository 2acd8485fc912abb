// TEST-ONLY: writes a payment's scanner-owned fields directly, so the checkout and the dashboard can
// be tested in states (partial, detected, confirmed…) before the chain scanner exists on this branch.
// Never imported by application code; it bypasses the lifecycle rules on purpose.
import type { Db } from "../db/client";
import { newId } from "../ids";

export type ForcedPaymentState = {
  status: "pending" | "detected" | "confirmed" | "settled" | "expired" | "canceled";
  amountReceivedBaseUnits?: bigint;
  confirmations?: number;
  exception?: "overpaid" | "underpaid" | "paid_late" | null;
  expiresAt?: Date;
};

export async function forcePaymentStateForTests(db: Db, paymentId: string, state: ForcedPaymentState) {
  await db.$transaction(async (tx) => {
    const before = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: { status: true } });
    const now = new Date();
    await tx.payment.update({
      where: { id: paymentId },
      data: {
        status: state.status,
        ...(state.amountReceivedBaseUnits !== undefined
          ? { amountReceived: state.amountReceivedBaseUnits.toString() }
          : {}),
        ...(state.confirmations !== undefined ? { confirmations: state.confirmations } : {}),
        ...(state.exception !== undefined ? { exception: state.exception } : {}),
        ...(state.expiresAt ? { expiresAt: state.expiresAt } : {}),
        ...(state.status === "detected" ? { detectedAt: now } : {}),
        ...(state.status === "confirmed" ? { confirmedAt: now } : {}),
      },
    });
    if (before.status !== state.status)
      await tx.paymentStatusChange.create({
        data: {
          id: newId("psc"),
          paymentId,
          fromStatus: before.status,
          toStatus: state.status,
          exception: state.exception ?? null,
          reason: "forced by a test",
          createdAt: now,
        },
      });
  });
}
