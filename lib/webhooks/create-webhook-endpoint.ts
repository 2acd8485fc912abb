import { type AccessDeps, authorize } from "../access/actor";
import { encryptSecret } from "../crypto/encrypt-secret";
import { newId } from "../ids";
import { assertBelowMerchantCap } from "../merchants/merchant-caps";
import type { WebhookDeps } from "./webhook-deps";
import {
  serializeWebhookEndpoint,
  type TCreateWebhookEndpoint,
  type TWebhookEndpointWithSecret,
  WEBHOOK_ENDPOINT_SELECT,
} from "./webhook-endpoint-object";
import { generateWebhookSecret } from "./webhook-secret";
import { assertWebhookTargetAllowed } from "./webhook-target";

/** Registers an endpoint; its secret is returned here (and on rotation) only, and stored encrypted. */
export async function createWebhookEndpoint(
  deps: Pick<WebhookDeps, "db" | "encryptionKey" | "allowLoopbackTargets" | "resolveHost"> & AccessDeps,
  merchantId: string,
  input: TCreateWebhookEndpoint,
): Promise<TWebhookEndpointWithSecret> {
  authorize(deps.actor, merchantId, "webhooks:write");
  await assertWebhookTargetAllowed(input.url, {
    allowLoopbackTargets: deps.allowLoopbackTargets,
    resolveHost: deps.resolveHost,
  });
  const secret = generateWebhookSecret();
  const row = await deps.db.$transaction(async (tx) => {
    if (input.status !== "disabled") await assertBelowMerchantCap(tx, merchantId, "webhook_endpoints");
    return tx.webhookEndpoint.create({
      data: {
        id: newId("we"),
        merchantId,
        url: input.url,
        description: input.description ?? null,
        enabledEvents: input.enabled_events ?? [],
        disabled: input.status === "disabled",
        secretCiphertext: encryptSecret(deps.encryptionKey, secret),
      },
      select: WEBHOOK_ENDPOINT_SELECT,
    });
  });
  return { ...serializeWebhookEndpoint(row), secret };
}
