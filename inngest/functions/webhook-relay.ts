import { cron } from "inngest";
import type { Db } from "../../lib/db/client";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import {
  type RelayedDelivery,
  type RelayedEvent,
  relayWebhookDeliveries,
} from "../../lib/webhooks/relay-webhook-deliveries";
import { inngest, paymentConfirmed, webhookDeliveryRequested } from "../client";

/** An Inngest event as the relay sends it: always with an id, Inngest's deduplication key. */
export type RelayedInngestEvent = { name: string; id: string; data: Record<string, unknown> };

export type WebhookRelayDependencies = {
  getDb: () => Db;
  /** Relay rounds per run and the pause between them: one run covers about a minute. */
  rounds?: number;
  pause?: string;
  /** Sends the derived events; defaults to `inngest.send` (tests capture them). */
  send?: (events: RelayedInngestEvent[]) => Promise<unknown>;
};

/**
 * The Inngest events derived from a batch of outbox events: one `webhook/delivery.requested` per
 * delivery (id = delivery id) and one `payment/confirmed` per `payment.confirmed` event (id = the
 * event id), which starts that payment's sweep-payment run.
 */
export function inngestEventsFor(
  deliveries: RelayedDelivery[],
  events: RelayedEvent[],
): RelayedInngestEvent[] {
  return [
    ...deliveries.map((delivery) => ({
      ...webhookDeliveryRequested.create({ delivery_id: delivery.id, merchant_id: delivery.merchantId }),
      id: delivery.id,
    })),
    ...events
      .filter((event) => event.type === "payment.confirmed")
      .map((event) => ({ ...paymentConfirmed.create({ payment_id: event.objectId }), id: event.id })),
  ];
}

/**
 * Inngest mode's outbox relay: every minute (cron granularity), a run that relays new events about
 * once a second for a minute, so event → first webhook attempt (or sweep start) stays around a
 * second. Inngest drops an event whose id it has already seen: a relayed batch sent twice (a
 * retried step) starts nothing twice.
 */
export function createWebhookRelay({
  getDb,
  rounds = 55,
  pause = "1s",
  send = (events) => inngest.send(events),
}: WebhookRelayDependencies) {
  return inngest.createFunction(
    { id: "webhook-relay", triggers: [cron("* * * * *")], concurrency: { limit: 1 } },
    async ({ step }) => {
      let relayed = 0;
      for (let round = 1; round <= rounds; round++) {
        const result = await step.run(`relay-${round}`, () =>
          relayWebhookDeliveries(getDb(), async (deliveries, events) => {
            const derived = inngestEventsFor(deliveries, events);
            if (derived.length > 0) await send(derived);
          }),
        );
        relayed += result.deliveries;
        if (round < rounds) await step.sleep(`pause-${round}`, pause);
      }
      return { relayed };
    },
  );
}

export const webhookRelay = createWebhookRelay({ getDb: () => loadJobContext().db });
