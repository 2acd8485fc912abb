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
  handler: async ({ db, actor, merchantId, params }) => ({
    body: await getWebhookEndpointOrThrow({ db, actor }, merchantId, params.id),
  }),
});

export const PATCH = apiRoute({
  params: ZIdParams("we"),
  body: ZUpdateWebhookEndpoint,
  handler: async ({ db, actor, origin, merchantId, params, body }) => ({
    body: await updateWebhookEndpoint(
      { ...webhookDeps(db, logger), actor, origin },
      merchantId,
      params.id,
      body,
    ),
  }),
});

export const DELETE = apiRoute({
  params: ZIdParams("we"),
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await deleteWebhookEndpoint({ db, actor, origin }, merchantId, params.id),
  }),
});
