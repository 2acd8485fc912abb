import { cron } from "inngest";
import type { Db } from "../../lib/db/client";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { relayWebhookDeliveries } from "../../lib/webhooks/relay-webhook-deliveries";
import { inngest, webhookDeliveryRequested } from "../client";

export type WebhookRelayDependencies = {
  getDb: () => Db;
  /** Relay rounds per run and the pause between them: one run covers about a minute. */
  rounds?: number;
  pause?: string;
};

/**
 * Inngest mode's outbox relay: every minute (cron granularity), a run that relays new events'
 * deliveries to `webhook/delivery.requested` about once a second for a minute, so event → first
 * attempt stays around a second. The event id is the delivery id: Inngest drops duplicates.
 */
export function createWebhookRelay({ getDb, rounds = 55, pause = "1s" }: WebhookRelayDependencies) {
  return inngest.createFunction(
    { id: "webhook-relay", triggers: [cron("* * * * *")], concurrency: { limit: 1 } },
    async ({ step }) => {
      let relayed = 0;
      for (let round = 1; round <= rounds; round++) {
        const result = await step.run(`relay-${round}`, () =>
          relayWebhookDeliveries(getDb(), async (deliveryIds) => {
            await inngest.send(
              deliveryIds.map((deliveryId) => ({
                ...webhookDeliveryRequested.create({ delivery_id: deliveryId }),
                id: deliveryId,
              })),
            );
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
