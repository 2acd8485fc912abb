import { listBalances, ZListBalancesQuery } from "@/lib/balances/list-balances";
import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListBalancesQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listBalances({ db, actor, chains: configuredChains() }, merchantId, query),
  }),
});
