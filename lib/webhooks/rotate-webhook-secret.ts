import { type AccessDeps, authorize } from "../access/actor";
import { decryptSecret, encryptSecret } from "../crypto/encrypt-secret";
import { AppError } from "../errors";
import type { WebhookDeps } from "./webhook-deps";
import {
  serializeWebhookEndpoint,
  type TWebhookEndpointWithSecret,
  WEBHOOK_ENDPOINT_SELECT,
} from "./webhook-endpoint-object";
import { generateWebhookSecret } from "./webhook-secret";

/** How long the secret replaced by a rotation keeps signing deliveries, next to the new one. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

/**
 * Issues a new secret. The old one keeps signing for 24 h (deliveries carry both signatures), so
 * the merchant can deploy the new secret without dropping a webhook. The row lock makes two
 * concurrent rotations apply one after the other.
 */
export async function rotateWebhookSecret(
  deps: Pick<WebhookDeps, "db" | "encryptionKey" | "now"> & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookEndpointWithSecret> {
  authorize(deps.actor, merchantId, "webhooks:write");
  const now = deps.now?.() ?? new Date();
  const secret = generateWebhookSecret();
  const row = await deps.db.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<{ secret_ciphertext: string }[]>`
      SELECT secret_ciphertext FROM webhook_endpoints
      WHERE id = ${id} AND merchant_id = ${merchantId} AND deleted_at IS NULL FOR UPDATE`;
    if (!current) throw new AppError("not_found", `No such webhook endpoint: ${id}`);
    // Re-encrypted so a key change since creation is applied; also proves the ciphertext is intact.
    const previous = decryptSecret(deps.encryptionKey, current.secret_ciphertext);
    return tx.webhookEndpoint.update({
      where: { id },
      data: {
        secretCiphertext: encryptSecret(deps.encryptionKey, secret),
        previousSecretCiphertext: encryptSecret(deps.encryptionKey, previous),
        previousSecretExpiresAt: new Date(now.getTime() + SECRET_OVERLAP_MS),
      },
      select: WEBHOOK_ENDPOINT_SELECT,
    });
  });
  return { ...serializeWebhookEndpoint(row), secret };
}
