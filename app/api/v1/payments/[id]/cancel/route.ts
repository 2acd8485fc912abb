import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { cancelPayment } from "@/lib/payments/cancel-payment";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("pay"),
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await cancelPayment({ db, actor, origin }, merchantId, params.id, publicUrl()),
  }),
});
