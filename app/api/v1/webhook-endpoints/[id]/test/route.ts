import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { logger } from "@/lib/logger";
import { sendTestWebhook } from "@/lib/webhooks/send-test-webhook";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("we"),
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await sendTestWebhook({ ...webhookDeps(db, logger), actor, origin }, merchantId, params.id),
  }),
});
