import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { listRates, ZListRatesQuery } from "@/lib/rates/list-rates";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListRatesQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listRates({ db, actor, chains: configuredChains() }, merchantId, query),
  }),
});
