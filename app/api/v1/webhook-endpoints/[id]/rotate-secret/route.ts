import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { logger } from "@/lib/logger";
import { rotateWebhookSecret } from "@/lib/webhooks/rotate-webhook-secret";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("we"),
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await rotateWebhookSecret({ ...webhookDeps(db, logger), actor, origin }, merchantId, params.id),
  }),
});
