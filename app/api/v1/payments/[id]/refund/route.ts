import { configuredChains } from "@/lib/config/chains";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { refundPayment, ZRefundPayment } from "@/lib/payouts/refund-payment";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("pay"),
  body: ZRefundPayment,
  // Like POST /api/v1/payouts: the refund and its stored response commit together.
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, params, body }) => ({
    status: 201,
    body: await refundPayment({ db, actor, origin, chains: configuredChains() }, merchantId, params.id, body),
  }),
});
