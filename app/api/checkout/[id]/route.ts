import { getCheckoutOrThrow } from "@/lib/checkout/get-checkout";
import { configuredChains } from "@/lib/config/chains";
import { publicRoute } from "@/lib/http/public-route";
import { ZIdParams } from "@/lib/http/route-params";

export const dynamic = "force-dynamic";

/** Public status of a checkout, polled by /pay/[id] every ~2 s: the payment id is the capability. */
export const GET = publicRoute({
  params: ZIdParams("pay"),
  rateLimit: { perSecond: 10, burst: 30 },
  handler: ({ db, params }) => getCheckoutOrThrow(db, configuredChains(), params.id),
});
