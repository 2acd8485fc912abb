import type { Db } from "../db/client";

/** An outbox event handed to the relay's `send`, for the Inngest events derived from it. */
export type RelayedEvent = { id: string; type: string; objectId: string };
/** A delivery handed to the relay's `send`, with its merchant (Inngest shares slots per merchant). */
export type RelayedDelivery = { id: string; merchantId: string };

/**
 * Inngest mode's outbox relay: marks up to `limit` undispatched events as dispatched and hands
 * `send` their webhook deliveries (one `webhook/delivery.requested` each, deduplicated
 * by the delivery id) and the events themselves (e.g. `payment.confirmed` → `payment/confirmed`,
 * deduplicated by the event id), all in one transaction: if sending fails nothing is marked, and
 * the next run sends them again. SKIP LOCKED lets concurrent relays split the work.
 */
export async function relayWebhookDeliveries(
  db: Db,
  send: (deliveries: RelayedDelivery[], events: RelayedEvent[]) => Promise<void>,
  options: { limit?: number } = {},
): Promise<{ events: number; deliveries: number }> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; type: string; object_id: string }[]>`
      UPDATE events SET dispatched_at = now()
      WHERE id IN (
        SELECT id FROM events WHERE dispatched_at IS NULL ORDER BY created_at
        LIMIT ${options.limit ?? 500} FOR UPDATE SKIP LOCKED)
      RETURNING id, type, object_id`;
    if (rows.length === 0) return { events: 0, deliveries: 0 };
    const deliveries = await tx.webhookDelivery.findMany({
      where: { eventId: { in: rows.map((event) => event.id) }, status: "pending" },
      select: { id: true, endpoint: { select: { merchantId: true } } },
    });
    await send(
      deliveries.map((delivery) => ({ id: delivery.id, merchantId: delivery.endpoint.merchantId })),
      rows.map((row) => ({ id: row.id, type: row.type, objectId: row.object_id })),
    );
    return { events: rows.length, deliveries: deliveries.length };
  });
}
