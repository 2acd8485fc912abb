import { z } from "zod";
import { env } from "@/lib/config/env";
import { publicRoute } from "@/lib/http/public-route";
import { authorizeScrape } from "@/lib/metrics/authorize-scrape";
import { renderMetrics } from "@/lib/metrics/render-metrics";

export const dynamic = "force-dynamic";

export const GET = publicRoute({
  params: z.object({}),
  rateLimit: { perSecond: 5, burst: 20 },
  handler: async ({ db, request }) => {
    authorizeScrape(request, env().METRICS_TOKEN);
    return new Response(await renderMetrics({ db }), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
    });
  },
});
