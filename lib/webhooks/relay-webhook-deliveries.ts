import type { Db } from "../db/client";

/**
 * Inngest mode's outbox relay: marks up to `limit` undispatched events as dispatched and hands the
 * ids of their deliveries to `send` (which emits one `webhook/delivery.requested` per delivery,
 * deduplicated by the delivery id), all in one transaction: if sending fails nothing is marked, and
 * the next run sends them again. SKIP LOCKED lets concurrent relays split the work.
 */
export async function relayWebhookDeliveries(
  db: Db,
  send: (deliveryIds: string[]) => Promise<void>,
  options: { limit?: number } = {},
): Promise<{ events: number; deliveries: number }> {
  return db.$transaction(async (tx) => {
    const events = await tx.$queryRaw<{ id: string }[]>`
      UPDATE events SET dispatched_at = now()
      WHERE id IN (
        SELECT id FROM events WHERE dispatched_at IS NULL ORDER BY created_at
        LIMIT ${options.limit ?? 500} FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const deliveries = await tx.webhookDelivery.findMany({
      where: { eventId: { in: events.map((event) => event.id) }, status: "pending" },
      select: { id: true },
    });
    if (deliveries.length > 0) await send(deliveries.map((delivery) => delivery.id));
    return { events: events.length, deliveries: deliveries.length };
  });
}
