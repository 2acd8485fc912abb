import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { listPayoutLimits, setPayoutLimits, ZSetPayoutLimits } from "@/lib/payouts/payout-limits";

export const dynamic = "force-dynamic";

export const PUT = apiRoute({
  body: ZSetPayoutLimits,
  handler: async ({ db, actor, origin, merchantId, body }) => ({
    body: await setPayoutLimits({ db, actor, origin, chains: configuredChains() }, merchantId, body),
  }),
});

export const GET = apiRoute({
  handler: async ({ db, actor, merchantId }) => ({
    body: await listPayoutLimits({ db, actor, chains: configuredChains() }, merchantId),
  }),
});
