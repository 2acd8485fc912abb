import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { logger } from "@/lib/logger";
import { retryWebhookDelivery } from "@/lib/webhooks/retry-webhook-delivery";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("wd"),
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await retryWebhookDelivery({ ...webhookDeps(db, logger), actor, origin }, merchantId, params.id),
  }),
});
