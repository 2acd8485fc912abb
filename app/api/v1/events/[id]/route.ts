import { getEventOrThrow } from "@/lib/events/list-events";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  params: ZIdParams("evt"),
  handler: async ({ db, actor, merchantId, params }) => ({
    body: await getEventOrThrow({ db, actor }, merchantId, params.id),
  }),
});
