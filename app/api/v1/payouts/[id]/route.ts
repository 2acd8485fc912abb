import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { getPayoutOrThrow } from "@/lib/payouts/get-payout";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  params: ZIdParams("po"),
  handler: async ({ db, actor, merchantId, params }) => ({
    body: await getPayoutOrThrow({ db, actor, chains: configuredChains() }, merchantId, params.id),
  }),
});
