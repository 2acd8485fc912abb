import { reconcileChainWithHotWallets } from "@/lib/balances/reconcile-hot-wallets";
import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { ZReconciliationQuery } from "@/lib/settlement/reconcile-chain";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZReconciliationQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await reconcileChainWithHotWallets(
      { db, actor, chains: configuredChains() },
      { chain: query.chain, merchantId },
    ),
  }),
});
