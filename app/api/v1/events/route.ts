import { listEvents, ZListEventsQuery } from "@/lib/events/list-events";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListEventsQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listEvents({ db, actor }, merchantId, query),
  }),
});
