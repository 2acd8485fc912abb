import {
  listBalanceTransactions,
  ZListBalanceTransactionsQuery,
} from "@/lib/balances/list-balance-transactions";
import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListBalanceTransactionsQuery,
  handler: async ({ db, merchantId, query }) => ({
    body: await listBalanceTransactions({ db, chains: configuredChains() }, merchantId, query),
  }),
});
