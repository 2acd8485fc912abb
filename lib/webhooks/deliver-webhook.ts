import { decryptSecret } from "../crypto/encrypt-secret";
import { serializeEvent } from "../events/event-object";
import { newId } from "../ids";
import { recordWebhookAttempt } from "../metrics/work-metrics";
import { noteFailedWebhookAttempt } from "../notifications/webhook-endpoint-failing";
import { traceWebhookAttempt } from "../observability/trace-webhook";
import { sendWebhook, type WebhookSendResult } from "./send-webhook";
import type { WebhookDeps } from "./webhook-deps";
import { DEFAULT_RETRY_SCHEDULE_MS } from "./webhook-schedule";

/** An attempt is in flight at most this long past its timeout; then its lease lapses and it is retried. */
const LEASE_MARGIN_MS = 60_000;

export type DeliveryOutcome = {
  deliveryId: string;
  status: "pending" | "succeeded" | "failed";
  attemptNumber: number;
  nextAttemptAt: Date | null;
  result: WebhookSendResult | null;
};

export function leaseUntil(deps: Pick<WebhookDeps, "now" | "timeoutMs">): Date {
  const now = deps.now?.() ?? new Date();
  return new Date(now.getTime() + (deps.timeoutMs ?? 10_000) + LEASE_MARGIN_MS);
}

/**
 * Claims one delivery if it is due: moves its next_attempt_at past the attempt (a lease), so no
 * other worker or Inngest run picks it while this one sends. Returns false when it is not due.
 */
export async function claimWebhookDelivery(
  deps: Pick<WebhookDeps, "db" | "now" | "timeoutMs">,
  deliveryId: string,
): Promise<boolean> {
  const now = deps.now?.() ?? new Date();
  const claimed = await deps.db.$executeRaw`
    UPDATE webhook_deliveries SET next_attempt_at = ${leaseUntil(deps)}, updated_at = now()
    WHERE id = ${deliveryId} AND status = 'pending' AND next_attempt_at <= ${now}`;
  return claimed === 1;
}

/**
 * Sends a claimed delivery once and records the attempt: succeeded on a 2xx, otherwise pending
 * until the next attempt of the schedule, or failed when the schedule is exhausted. The record
 * happens under the delivery's row lock, so attempt numbers never collide and a success is never
 * overwritten by a late failure.
 */
export async function deliverWebhook(deps: WebhookDeps, deliveryId: string): Promise<DeliveryOutcome> {
  const [loaded] = await loadWebhookDeliveries(deps, [deliveryId]);
  if (!loaded) throw new Error(`webhook delivery ${deliveryId} not found`);
  return deliverLoadedWebhook(deps, loaded);
}

/** What an attempt sends: the delivery's event and its endpoint (URL, secrets, state). */
export type LoadedWebhookDelivery = {
  deliveryId: string;
  event: {
    id: string;
    type: string;
    createdAt: Date;
    data: unknown;
    objectId: string;
    merchantId: string;
    /** The traceparent of the span that recorded the event (lib/observability/trace-webhook.ts). */
    traceParent: string | null;
  };
  endpoint: {
    url: string;
    disabled: boolean;
    deletedAt: Date | null;
    secretCiphertext: string;
    previousSecretCiphertext: string | null;
    previousSecretExpiresAt: Date | null;
  };
};

/** Loads deliveries for their attempts in one query (a join), however many were claimed. */
export async function loadWebhookDeliveries(
  deps: Pick<WebhookDeps, "db">,
  deliveryIds: string[],
): Promise<LoadedWebhookDelivery[]> {
  if (deliveryIds.length === 0) return [];
  const rows = await deps.db.$queryRaw<
    {
      delivery_id: string;
      event_id: string;
      event_type: string;
      event_created_at: Date;
      event_data: unknown;
      event_object_id: string;
      event_merchant_id: string;
      event_trace_parent: string | null;
      url: string;
      disabled: boolean;
      deleted_at: Date | null;
      secret_ciphertext: string;
      previous_secret_ciphertext: string | null;
      previous_secret_expires_at: Date | null;
    }[]
  >`
    SELECT delivery.id AS delivery_id, event.id AS event_id, event.type AS event_type,
      event.created_at AS event_created_at, event.data AS event_data, event.object_id AS event_object_id,
      event.merchant_id AS event_merchant_id, event.trace_parent AS event_trace_parent, endpoint.url, endpoint.disabled,
      endpoint.deleted_at, endpoint.secret_ciphertext, endpoint.previous_secret_ciphertext,
      endpoint.previous_secret_expires_at
    FROM webhook_deliveries delivery
    JOIN events event ON event.id = delivery.event_id
    JOIN webhook_endpoints endpoint ON endpoint.id = delivery.endpoint_id
    WHERE delivery.id = ANY(${deliveryIds}::text[])`;
  return rows.map((row) => ({
    deliveryId: row.delivery_id,
    event: {
      id: row.event_id,
      type: row.event_type,
      createdAt: row.event_created_at,
      data: row.event_data,
      objectId: row.event_object_id,
      merchantId: row.event_merchant_id,
      traceParent: row.event_trace_parent,
    },
    endpoint: {
      url: row.url,
      disabled: row.disabled,
      deletedAt: row.deleted_at,
      secretCiphertext: row.secret_ciphertext,
      previousSecretCiphertext: row.previous_secret_ciphertext,
      previousSecretExpiresAt: row.previous_secret_expires_at,
    },
  }));
}

/** deliverWebhook for a delivery already loaded (the dispatcher loads a claimed batch at once). */
export function deliverLoadedWebhook(
  deps: WebhookDeps,
  loaded: LoadedWebhookDelivery,
): Promise<DeliveryOutcome> {
  return traceWebhookAttempt({ ...loaded, url: loaded.endpoint.url }, () => sendAndRecord(deps, loaded));
}

async function sendAndRecord(
  deps: WebhookDeps,
  { deliveryId, event, endpoint }: LoadedWebhookDelivery,
): Promise<DeliveryOutcome> {
  const now = deps.now?.() ?? new Date();
  let result: WebhookSendResult | null = null;
  if (!endpoint.disabled && !endpoint.deletedAt) {
    const secrets = [decryptSecret(deps.encryptionKey, endpoint.secretCiphertext)];
    if (
      endpoint.previousSecretCiphertext &&
      endpoint.previousSecretExpiresAt &&
      endpoint.previousSecretExpiresAt > now
    )
      secrets.push(decryptSecret(deps.encryptionKey, endpoint.previousSecretCiphertext));
    result = await sendWebhook(deps, {
      url: endpoint.url,
      secrets,
      messageId: event.id,
      body: JSON.stringify(serializeEvent(event)),
    });
  }
  const outcome = result
    ? await recordAttempt(deps, deliveryId, result)
    : await closeUnsendableDelivery(deps, deliveryId);
  recordWebhookAttempt(result, event.createdAt, deps.now?.() ?? new Date());
  if (result && !result.succeeded)
    await noteFailedWebhookAttempt(deps.db, deliveryId, deps.now?.() ?? new Date());
  deps.logger.info("webhook attempt", {
    deliveryId,
    merchantId: event.merchantId,
    eventId: event.id,
    attempt: outcome.attemptNumber,
    status: outcome.status,
    statusCode: result?.statusCode ?? null,
    durationMs: result?.durationMs ?? null,
    error: result?.error ?? null,
  });
  return { deliveryId, ...outcome, result };
}

type RecordedAttempt = Omit<DeliveryOutcome, "deliveryId" | "result">;

/**
 * Records an attempt in one statement: the UPDATE takes the delivery's row lock and reads its
 * current state (a concurrent success is never overwritten by a late failure, attempt numbers never
 * collide), the schedule decides pending or failed, and the attempt row is inserted with it.
 */
async function recordAttempt(
  deps: WebhookDeps,
  deliveryId: string,
  result: WebhookSendResult,
): Promise<RecordedAttempt> {
  const finishedAt = deps.now?.() ?? new Date();
  const schedule = (deps.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS).map((ms) => BigInt(ms));
  const [row] = await deps.db.$queryRaw<
    { status: DeliveryOutcome["status"]; attempt_number: number; next_attempt_at: Date | null }[]
  >`
    WITH updated AS (
      UPDATE webhook_deliveries AS delivery SET
        attempt_count = delivery.attempt_count + 1,
        last_attempt_at = ${finishedAt},
        status = (CASE
          WHEN delivery.status = 'succeeded' OR ${result.succeeded} THEN 'succeeded'
          WHEN delivery.attempt_count + 1 <= cardinality(${schedule}::bigint[]) THEN 'pending'
          ELSE 'failed' END)::webhook_delivery_status,
        next_attempt_at = CASE
          WHEN delivery.status = 'succeeded' OR ${result.succeeded} THEN NULL
          WHEN delivery.attempt_count + 1 <= cardinality(${schedule}::bigint[])
            THEN ${finishedAt}::timestamptz
              + (${schedule}::bigint[])[delivery.attempt_count + 1] * interval '1 millisecond'
          ELSE NULL END,
        updated_at = now()
      WHERE delivery.id = ${deliveryId}
      RETURNING delivery.attempt_count AS attempt_number, delivery.status::text AS status, delivery.next_attempt_at
    ), attempt AS (
      INSERT INTO webhook_attempts
        (id, delivery_id, attempt_number, status_code, duration_ms, response_snippet, error, created_at)
      SELECT ${newId("wa")}, ${deliveryId}, attempt_number, ${result.statusCode}::int, ${result.durationMs}::int,
        ${result.responseSnippet}::text, ${result.error}::text, ${finishedAt}
      FROM updated
    )
    SELECT status, attempt_number, next_attempt_at FROM updated`;
  if (!row) throw new Error(`webhook delivery ${deliveryId} vanished`);
  return { status: row.status, attemptNumber: row.attempt_number, nextAttemptAt: row.next_attempt_at };
}

/** The endpoint was disabled or deleted after the event: nothing to send, ever. */
async function closeUnsendableDelivery(deps: WebhookDeps, deliveryId: string): Promise<RecordedAttempt> {
  const [row] = await deps.db.$queryRaw<{ attempt_count: number }[]>`
    UPDATE webhook_deliveries SET
      status = (CASE WHEN status = 'succeeded' THEN 'succeeded' ELSE 'failed' END)::webhook_delivery_status,
      next_attempt_at = NULL, updated_at = now()
    WHERE id = ${deliveryId}
    RETURNING attempt_count`;
  if (!row) throw new Error(`webhook delivery ${deliveryId} vanished`);
  return { status: "failed", attemptNumber: row.attempt_count, nextAttemptAt: null };
}

/** Claim + send: one attempt of a due delivery (the Inngest function's step), null if not due. */
export async function attemptWebhookDelivery(
  deps: WebhookDeps,
  deliveryId: string,
): Promise<DeliveryOutcome | null> {
  if (!(await claimWebhookDelivery(deps, deliveryId))) return null;
  return deliverWebhook(deps, deliveryId);
}
