import { decryptSecret } from "../crypto/encrypt-secret";
import { serializeEvent } from "../events/event-object";
import { newId } from "../ids";
import { sendWebhook, type WebhookSendResult } from "./send-webhook";
import type { WebhookDeps } from "./webhook-deps";
import { DEFAULT_RETRY_SCHEDULE_MS, nextAttemptAt } from "./webhook-schedule";

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
  const delivery = await deps.db.webhookDelivery.findUniqueOrThrow({
    where: { id: deliveryId },
    select: {
      id: true,
      event: { select: { id: true, type: true, createdAt: true, data: true } },
      endpoint: {
        select: {
          url: true,
          disabled: true,
          deletedAt: true,
          secretCiphertext: true,
          previousSecretCiphertext: true,
          previousSecretExpiresAt: true,
        },
      },
    },
  });
  const { endpoint } = delivery;
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
      messageId: delivery.event.id,
      body: JSON.stringify(serializeEvent(delivery.event)),
    });
  }
  const outcome = await deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: DeliveryOutcome["status"]; attempt_count: number }[]>`
      SELECT status, attempt_count FROM webhook_deliveries WHERE id = ${deliveryId} FOR UPDATE`;
    if (!locked) throw new Error(`webhook delivery ${deliveryId} vanished`);
    const finishedAt = deps.now?.() ?? new Date();
    if (!result) {
      // The endpoint was disabled or deleted after the event: nothing to send, ever.
      await tx.webhookDelivery.update({
        where: { id: deliveryId },
        data: { status: locked.status === "succeeded" ? "succeeded" : "failed", nextAttemptAt: null },
      });
      return { status: "failed" as const, attemptNumber: locked.attempt_count, nextAttemptAt: null };
    }
    const attemptNumber = locked.attempt_count + 1;
    const retryAt = result.succeeded
      ? null
      : nextAttemptAt(deps.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS, attemptNumber, finishedAt);
    const status: DeliveryOutcome["status"] =
      locked.status === "succeeded" || result.succeeded ? "succeeded" : retryAt ? "pending" : "failed";
    await tx.webhookDelivery.update({
      where: { id: deliveryId },
      data: {
        status,
        attemptCount: attemptNumber,
        lastAttemptAt: finishedAt,
        nextAttemptAt: status === "pending" ? retryAt : null,
      },
    });
    await tx.webhookAttempt.create({
      data: {
        id: newId("wa"),
        deliveryId,
        attemptNumber,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        responseSnippet: result.responseSnippet,
        error: result.error,
        createdAt: finishedAt,
      },
    });
    return { status, attemptNumber, nextAttemptAt: status === "pending" ? retryAt : null };
  });
  deps.logger.info("webhook attempt", {
    deliveryId,
    eventId: delivery.event.id,
    attempt: outcome.attemptNumber,
    status: outcome.status,
    statusCode: result?.statusCode ?? null,
    durationMs: result?.durationMs ?? null,
    error: result?.error ?? null,
  });
  return { deliveryId, ...outcome, result };
}

/** Claim + send: one attempt of a due delivery (the Inngest function's step), null if not due. */
export async function attemptWebhookDelivery(
  deps: WebhookDeps,
  deliveryId: string,
): Promise<DeliveryOutcome | null> {
  if (!(await claimWebhookDelivery(deps, deliveryId))) return null;
  return deliverWebhook(deps, deliveryId);
}
