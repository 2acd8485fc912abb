import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { decryptSecret } from "../crypto/encrypt-secret";
import { AppError } from "../errors";
import { newId } from "../ids";
import { sendWebhook } from "./send-webhook";
import type { WebhookDeps } from "./webhook-deps";
import { serializeWebhookEndpoint, WEBHOOK_ENDPOINT_SELECT } from "./webhook-endpoint-object";

export const TEST_EVENT_TYPE = "webhook_endpoint.test";

export const ZWebhookTestResult = z.object({
  object: z.literal("webhook_test"),
  event_id: z.string(),
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
 * It is not an event of the account: not stored, not retried, not sent to other endpoints.
 */
export async function sendTestWebhook(
  deps: WebhookDeps & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookTestResult> {
  authorize(deps.actor, merchantId, "webhooks:write");
  const endpoint = await deps.db.webhookEndpoint.findFirst({
    where: { id, merchantId, deletedAt: null },
    select: { ...WEBHOOK_ENDPOINT_SELECT, secretCiphertext: true },
  });
  if (!endpoint) throw new AppError("not_found", `No such webhook endpoint: ${id}`);
  const eventId = newId("evt");
  const now = deps.now?.() ?? new Date();
  const body = JSON.stringify({
    id: eventId,
    object: "event",
    type: TEST_EVENT_TYPE,
    created_at: now.toISOString(),
    data: { object: serializeWebhookEndpoint(endpoint) },
  });
  const result = await sendWebhook(deps, {
    url: endpoint.url,
    secrets: [decryptSecret(deps.encryptionKey, endpoint.secretCiphertext)],
    messageId: eventId,
    body,
  });
  return {
    object: "webhook_test",
    event_id: eventId,
    endpoint_id: id,
    succeeded: result.succeeded,
    status_code: result.statusCode,
    duration_ms: result.durationMs,
    response_snippet: result.responseSnippet,
    error: result.error,
  };
}
