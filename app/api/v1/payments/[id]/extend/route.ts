import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { extendPaymentExpiry, ZExtendPaymentExpiry } from "@/lib/payments/extend-payment-expiry";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("pay"),
  body: ZExtendPaymentExpiry,
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, params, body }) => ({
    body: await extendPaymentExpiry({ db, actor, origin, baseUrl: publicUrl() }, merchantId, params.id, body),
  }),
});
