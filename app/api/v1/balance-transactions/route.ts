import {
  listBalanceTransactions,
  ZListBalanceTransactionsQuery,
} from "@/lib/balances/list-balance-transactions";
import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListBalanceTransactionsQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listBalanceTransactions({ db, actor, chains: configuredChains() }, merchantId, query),
  }),
});
