import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { logger } from "@/lib/logger";
import {
  deleteWebhookEndpoint,
  getWebhookEndpointOrThrow,
  updateWebhookEndpoint,
} from "@/lib/webhooks/manage-webhook-endpoints";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";
import { ZUpdateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoint-object";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  params: ZIdParams("we"),
  handler: async ({ db, merchantId, params }) => ({
    body: await getWebhookEndpointOrThrow(db, merchantId, params.id),
  }),
});

export const PATCH = apiRoute({
  params: ZIdParams("we"),
  body: ZUpdateWebhookEndpoint,
  handler: async ({ db, merchantId, params, body }) => ({
    body: await updateWebhookEndpoint(webhookDeps(db, logger), merchantId, params.id, body),
  }),
});

export const DELETE = apiRoute({
  params: ZIdParams("we"),
  handler: async ({ db, merchantId, params }) => ({
    body: await deleteWebhookEndpoint(db, merchantId, params.id),
  }),
});
