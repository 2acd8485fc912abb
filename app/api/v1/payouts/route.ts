import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { createPayout, ZCreatePayout } from "@/lib/payouts/create-payout";
import { listPayouts, ZListPayoutsQuery } from "@/lib/payouts/list-payouts";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  body: ZCreatePayout,
  // createPayout's transaction nests in the key's (a savepoint): the payout, its ledger debit and the
  // stored response commit together, so a retry can never create a second payout.
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, body }) => ({
    status: 201,
    body: await createPayout({ db, actor, origin, chains: configuredChains() }, merchantId, body),
  }),
});

export const GET = apiRoute({
  query: ZListPayoutsQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listPayouts({ db, actor, chains: configuredChains() }, merchantId, query),
  }),
});
