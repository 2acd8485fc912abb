import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { listTreasurySettings } from "@/lib/settlement/list-treasury-settings";
import { setTreasurySetting, ZSetTreasurySetting } from "@/lib/settlement/set-treasury-setting";

export const dynamic = "force-dynamic";

export const PUT = apiRoute({
  body: ZSetTreasurySetting,
  handler: async ({ db, merchantId, body, actor, origin }) => ({
    body: await setTreasurySetting({ db, chains: configuredChains(), actor, origin }, merchantId, body),
  }),
});

export const GET = apiRoute({
  handler: async ({ db, merchantId, actor }) => ({
    body: await listTreasurySettings({ db, chains: configuredChains(), actor }, merchantId),
  }),
});
