import { apiRoute } from "@/lib/http/api-route";
import { listWebhookDeliveries, ZListWebhookDeliveriesQuery } from "@/lib/webhooks/list-webhook-deliveries";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListWebhookDeliveriesQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listWebhookDeliveries({ db, actor }, merchantId, query),
  }),
});
