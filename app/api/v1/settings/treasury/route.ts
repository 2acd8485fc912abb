import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { listTreasurySettings } from "@/lib/settlement/list-treasury-settings";
import { setTreasurySetting, ZSetTreasurySetting } from "@/lib/settlement/set-treasury-setting";

export const dynamic = "force-dynamic";

export const PUT = apiRoute({
  body: ZSetTreasurySetting,
  handler: async ({ db, actor, origin, merchantId, body }) => ({
    body: await setTreasurySetting({ db, actor, origin, chains: configuredChains() }, merchantId, body),
  }),
});

export const GET = apiRoute({
  handler: async ({ db, actor, merchantId }) => ({
    body: await listTreasurySettings({ db, actor }, merchantId),
  }),
});
