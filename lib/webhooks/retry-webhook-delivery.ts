import { type AccessDeps, authorize } from "../access/actor";
import { AppError } from "../errors";
import { deliverWebhook, leaseUntil } from "./deliver-webhook";
import { findWebhookDeliveryOrThrow } from "./list-webhook-deliveries";
import type { TWebhookDeliveryObject } from "./webhook-delivery-object";
import type { WebhookDeps } from "./webhook-deps";

/**
 * Manual retry: one new attempt now, awaited, whatever the schedule says. A failed delivery is
 * reset to pending first (it succeeds, or continues on the schedule if any of it is left); a
 * succeeded one is resent and stays succeeded. The lease keeps the workers off it meanwhile.
 */
export async function retryWebhookDelivery(
  deps: WebhookDeps & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookDeliveryObject> {
  authorize(deps.actor, merchantId, "webhooks:write");
  const owned = await deps.db.webhookDelivery.findFirst({
    where: { id, event: { merchantId } },
    select: { status: true, endpoint: { select: { deletedAt: true, disabled: true } } },
  });
  if (!owned) throw new AppError("not_found", `No such webhook delivery: ${id}`);
  if (owned.endpoint.deletedAt || owned.endpoint.disabled)
    throw new AppError("invalid_state", "The endpoint of this delivery is disabled or deleted.");
  await deps.db.webhookDelivery.update({
    where: { id },
    data: {
      status: owned.status === "succeeded" ? "succeeded" : "pending",
      nextAttemptAt: leaseUntil(deps),
    },
  });
  await deliverWebhook(deps, id);
  return findWebhookDeliveryOrThrow(deps.db, merchantId, id);
}
