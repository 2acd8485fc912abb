import { type AccessDeps, authorize } from "../access/actor";
import { AppError } from "../errors";
import { deliverWebhook, leaseUntil } from "./deliver-webhook";
import { findWebhookDeliveryOrThrow } from "./list-webhook-deliveries";
import type { TWebhookDeliveryObject } from "./webhook-delivery-object";
import type { WebhookDeps } from "./webhook-deps";

/**
 * Manual retry: one new attempt now, awaited, whatever the schedule says. A failed delivery is
 * reset to pending first (it succeeds, or continues on the schedule if any of it is left). A
 * succeeded delivery is refused (invalid_state): the receiver has it, and a resend would only be a
 * duplicate to deduplicate. The lease keeps the workers off it meanwhile.
 */
export async function retryWebhookDelivery(
  deps: WebhookDeps & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookDeliveryObject> {
  authorize(deps.actor, merchantId, "webhooks:write");
  const owned = await deps.db.webhookDelivery.findFirst({
    where: { id, event: { merchantId } },
    select: { endpoint: { select: { deletedAt: true, disabled: true } } },
  });
  if (!owned) throw new AppError("not_found", `No such webhook delivery: ${id}`);
  if (owned.endpoint.deletedAt || owned.endpoint.disabled)
    throw new AppError("invalid_state", "The endpoint of this delivery is disabled or deleted.");
  // Conditional, so a delivery that succeeds concurrently (a worker's attempt) is not resent either.
  const { count } = await deps.db.webhookDelivery.updateMany({
    where: { id, status: { not: "succeeded" } },
    data: { status: "pending", nextAttemptAt: leaseUntil(deps) },
  });
  if (count === 0) throw new AppError("invalid_state", "This delivery succeeded: there is nothing to retry.");
  await deliverWebhook(deps, id);
  return findWebhookDeliveryOrThrow(deps.db, merchantId, id);
}
