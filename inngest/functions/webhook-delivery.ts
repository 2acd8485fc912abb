import { NonRetriableError } from "inngest";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { attemptWebhookDelivery } from "../../lib/webhooks/deliver-webhook";
import { getWebhookDeliveryState } from "../../lib/webhooks/get-webhook-delivery-state";
import { type WebhookDeps, webhookDeps } from "../../lib/webhooks/webhook-deps";
import { inngest, webhookDeliveryRequested, ZWebhookDeliveryRequested } from "../client";

export type WebhookDeliveryFunctionDependencies = { getDeps: () => WebhookDeps };

/** Ten scheduled attempts, plus room for waits on leases of attempts made elsewhere (manual retry). */
const MAX_ROUNDS = 30;
const MERCHANT_CONCURRENCY = 16;

/**
 * One run per delivery: attempt (a step, so a replay never re-sends) → sleep until the next
 * attempt of the schedule → attempt … until it succeeds or fails for good. The schedule and the
 * attempt history live in Postgres (lib/webhooks); the attempt claims the delivery, so this run and
 * an embedded worker or a manual retry never send the same attempt twice.
 */
export function createWebhookDelivery({ getDeps }: WebhookDeliveryFunctionDependencies) {
  return inngest.createFunction(
    {
      id: "deliver-webhook",
      triggers: [webhookDeliveryRequested],
      concurrency: [
        // A delivery has one orchestrating run at a time.
        { key: "event.data.delivery_id", limit: 1 },
        // Attempts running at once per merchant (sleeping runs hold none), as the embedded
        // dispatcher's WEBHOOK_CONCURRENCY_PER_MERCHANT default: one tenant's tar pits cannot
        // hold every other tenant's deliveries.
        { key: "event.data.merchant_id", limit: MERCHANT_CONCURRENCY },
      ],
    },
    async ({ event, step }) => {
      const parsed = ZWebhookDeliveryRequested.safeParse(event.data);
      if (!parsed.success) throw new NonRetriableError(`invalid event data: ${parsed.error.message}`);
      const deliveryId = parsed.data.delivery_id;
      for (let round = 1; round <= MAX_ROUNDS; round++) {
        const state = await step.run(`attempt-${deliveryId}-${round}`, async () => {
          const deps = getDeps();
          const outcome = await attemptWebhookDelivery(deps, deliveryId);
          if (outcome)
            return {
              status: outcome.status,
              nextAttemptAt: outcome.nextAttemptAt?.toISOString() ?? null,
              attemptCount: outcome.attemptNumber,
            };
          // Not due: scheduled later, or leased by another attempt in flight.
          return getWebhookDeliveryState(deps.db, deliveryId);
        });
        if (!state) throw new NonRetriableError(`no such webhook delivery ${deliveryId}`);
        if (state.status !== "pending" || !state.nextAttemptAt) return state;
        await step.sleepUntil(`wait-${deliveryId}-${round}`, new Date(state.nextAttemptAt));
      }
      return getWebhookDeliveryState(getDeps().db, deliveryId);
    },
  );
}

export const webhookDelivery = createWebhookDelivery({
  getDeps: () => {
    const { db, logger } = loadJobContext();
    return webhookDeps(db, logger);
  },
});
