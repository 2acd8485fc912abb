import { createHmac } from "node:crypto";
import { webhookSecretKey } from "./webhook-secret";

export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * Standard Webhooks signature headers. With several secrets (during a rotation's overlap) the
 * signature header lists one space-separated `v1,<base64>` entry per secret, so receivers holding
 * either the old or the new secret verify the message.
 */
export function signWebhook(params: {
  secrets: string[];
  messageId: string;
  timestamp: Date;
  body: string;
}): WebhookHeaders {
  const seconds = Math.floor(params.timestamp.getTime() / 1000).toString();
  const signedContent = `${params.messageId}.${seconds}.${params.body}`;
  const signatures = params.secrets.map(
    (secret) => `v1,${createHmac("sha256", webhookSecretKey(secret)).update(signedContent).digest("base64")}`,
  );
  return {
    "webhook-id": params.messageId,
    "webhook-timestamp": seconds,
    "webhook-signature": signatures.join(" "),
  };
}
