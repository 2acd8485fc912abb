import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { approvePayout } from "@/lib/payouts/review-payout";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("po"),
  atomicIdempotency: true,
  handler: async ({ db, merchantId, apiKeyId, params }) => ({
    body: await approvePayout({ db, chains: configuredChains() }, merchantId, params.id, {
      type: "api_key",
      apiKeyId,
    }),
  }),
});
