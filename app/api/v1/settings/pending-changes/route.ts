import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { listPendingSettingChanges } from "@/lib/settlement/list-setting-changes";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  handler: async ({ db, merchantId, actor }) => ({
    body: await listPendingSettingChanges({ db, chains: configuredChains(), actor }, merchantId),
  }),
});
