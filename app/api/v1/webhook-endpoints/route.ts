import { apiRoute } from "@/lib/http/api-route";
import { logger } from "@/lib/logger";
import { createWebhookEndpoint } from "@/lib/webhooks/create-webhook-endpoint";
import { listWebhookEndpoints, ZListWebhookEndpointsQuery } from "@/lib/webhooks/manage-webhook-endpoints";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";
import { ZCreateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoint-object";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  body: ZCreateWebhookEndpoint,
  handler: async ({ db, actor, origin, merchantId, body }) => ({
    status: 201,
    body: await createWebhookEndpoint({ ...webhookDeps(db, logger), actor, origin }, merchantId, body),
  }),
});

export const GET = apiRoute({
  query: ZListWebhookEndpointsQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listWebhookEndpoints({ db, actor }, merchantId, query),
  }),
});
