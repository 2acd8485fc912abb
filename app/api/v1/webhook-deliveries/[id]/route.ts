import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { getWebhookDeliveryOrThrow } from "@/lib/webhooks/list-webhook-deliveries";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  params: ZIdParams("wd"),
  handler: async ({ db, actor, merchantId, params }) => ({
    body: await getWebhookDeliveryOrThrow({ db, actor }, merchantId, params.id),
  }),
});
