import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { listPayoutLimits, setPayoutLimits, ZSetPayoutLimits } from "@/lib/payouts/payout-limits";

export const dynamic = "force-dynamic";

export const PUT = apiRoute({
  body: ZSetPayoutLimits,
  handler: async ({ db, merchantId, body, actor, origin }) => ({
    body: await setPayoutLimits({ db, chains: configuredChains(), actor, origin }, merchantId, body),
  }),
});

export const GET = apiRoute({
  handler: async ({ db, merchantId, actor }) => ({
    body: await listPayoutLimits({ db, chains: configuredChains(), actor }, merchantId),
  }),
});
