import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { AppError } from "../errors";
import { TEST_EVENT_TYPE } from "../events/event-object";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { deliverLoadedWebhook, leaseUntil, loadWebhookDeliveries } from "./deliver-webhook";
import type { WebhookDeps } from "./webhook-deps";
import { serializeWebhookEndpoint, WEBHOOK_ENDPOINT_SELECT } from "./webhook-endpoint-object";

export const ZWebhookTestResult = z.object({
  object: z.literal("webhook_test"),
  event_id: z.string(),
  /** The logged delivery of the test event (the dashboard's delivery log shows it). */
  delivery_id: z.string(),
  endpoint_id: z.string(),
  succeeded: z.boolean(),
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  response_snippet: z.string().nullable(),
  error: z.string().nullable(),
});
export type TWebhookTestResult = z.infer<typeof ZWebhookTestResult>;

/**
 * Sends one signed `webhook_endpoint.test` event to the endpoint now and answers with the outcome.
 * The test is logged like any delivery (an event row and one delivery to this endpoint, with its
 * attempt), so the delivery log shows it and it can be retried by hand; it is never retried on the
 * schedule, never sent to other endpoints and not listed by the events API (lib/events/list-events).
 * The event is recorded as already dispatched, so neither relay fans it out.
 */
export async function sendTestWebhook(
  deps: WebhookDeps & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookTestResult> {
  authorize(deps.actor, merchantId, "webhooks:write");
  const endpoint = await deps.db.webhookEndpoint.findFirst({
    where: { id, merchantId, deletedAt: null },
    select: WEBHOOK_ENDPOINT_SELECT,
  });
  if (!endpoint) throw new AppError("not_found", `No such webhook endpoint: ${id}`);
  const now = deps.now?.() ?? new Date();
  const deliveryId = newId("wd");
  const eventId = await deps.db.$transaction(async (tx) => {
    const recorded = await recordEvent(tx, {
      merchantId,
      type: TEST_EVENT_TYPE,
      objectId: endpoint.id,
      object: serializeWebhookEndpoint(endpoint),
      createdAt: now,
    });
    await tx.event.update({ where: { id: recorded }, data: { dispatchedAt: now } });
    // The events trigger (migration 20261123110000_webhooks) fanned it out to every endpoint taking
    // all events; in this same transaction, so no worker ever saw those rows: only this one stays.
    await tx.webhookDelivery.deleteMany({ where: { eventId: recorded } });
    // Leased from the start: no worker attempts it while this request does.
    await tx.webhookDelivery.create({
      data: { id: deliveryId, eventId: recorded, endpointId: endpoint.id, nextAttemptAt: leaseUntil(deps) },
    });
    return recorded;
  });
  const [loaded] = await loadWebhookDeliveries(deps, [deliveryId]);
  if (!loaded) throw new Error(`webhook delivery ${deliveryId} not found`);
  // Signed with the current secret alone (not the previous one in its grace period): the test
  // proves the receiver has the secret it will need. Never retried on the schedule.
  const outcome = await deliverLoadedWebhook(
    { ...deps, retryScheduleMs: [] },
    { ...loaded, endpoint: { ...loaded.endpoint, previousSecretCiphertext: null } },
  );
  const result = outcome.result;
  return {
    object: "webhook_test",
    event_id: eventId,
    delivery_id: deliveryId,
    endpoint_id: id,
    succeeded: result?.succeeded ?? false,
    status_code: result?.statusCode ?? null,
    duration_ms: result?.durationMs ?? 0,
    response_snippet: result?.responseSnippet ?? null,
    error: result ? result.error : "The endpoint is disabled: nothing was sent.",
  };
}
