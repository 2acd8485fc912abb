import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { rejectPayout } from "@/lib/payouts/review-payout";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("po"),
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await rejectPayout({ db, actor, origin, chains: configuredChains() }, merchantId, params.id),
  }),
});
