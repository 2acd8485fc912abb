import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { getQuoteSettings, setQuoteSettings, ZSetQuoteSettings } from "@/lib/merchants/quote-settings";

export const dynamic = "force-dynamic";

export const PUT = apiRoute({
  body: ZSetQuoteSettings,
  handler: async ({ db, merchantId, body, actor, origin }) => ({
    body: await setQuoteSettings({ db, chains: configuredChains(), actor, origin }, merchantId, body),
  }),
});

export const GET = apiRoute({
  handler: async ({ db, merchantId, actor }) => ({
    body: await getQuoteSettings({ db, chains: configuredChains(), actor }, merchantId),
  }),
});
