import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { cancelSettingChange } from "@/lib/settlement/cancel-setting-change";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("chg"),
  atomicIdempotency: true,
  handler: async ({ db, merchantId, params, actor, origin }) => ({
    body: await cancelSettingChange({ db, chains: configuredChains(), actor, origin }, merchantId, params.id),
  }),
});
