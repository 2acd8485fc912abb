import type { Db } from "../db/client";

export type WebhookDeliveryState = {
  status: "pending" | "succeeded" | "failed";
  /** ISO time of the next attempt (or of the end of an attempt in flight). */
  nextAttemptAt: string | null;
  attemptCount: number;
};

/** Where a delivery stands, for the orchestrator deciding whether and until when to wait. */
export async function getWebhookDeliveryState(
  db: Db,
  deliveryId: string,
): Promise<WebhookDeliveryState | null> {
  const row = await db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    select: { status: true, nextAttemptAt: true, attemptCount: true },
  });
  if (!row) return null;
  return {
    status: row.status,
    nextAttemptAt: row.status === "pending" ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    attemptCount: row.attemptCount,
  };
}
