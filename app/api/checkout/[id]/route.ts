import { getCheckoutOrThrow } from "@/lib/checkout/get-checkout";
import { configuredChains } from "@/lib/config/chains";
import { publicRoute } from "@/lib/http/public-route";
import { ZIdParams } from "@/lib/http/route-params";

export const dynamic = "force-dynamic";

/** Public status of a checkout, polled by /pay/[id] every ~2 s: the payment id is the capability. */
export const GET = publicRoute({
  params: ZIdParams("pay"),
  // A payer polls every 2 s; many payers can share one address (NAT, or no proxy header at all).
  rateLimit: { perSecond: 20, burst: 60 },
  // The poll is served from the process's row cache, kept current by PostgreSQL's notifications.
  handler: ({ db, params }) => getCheckoutOrThrow(db, configuredChains(), params.id, { cached: true }),
});
