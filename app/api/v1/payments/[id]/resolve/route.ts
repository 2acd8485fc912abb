import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { resolvePayment } from "@/lib/payments/resolve-payment";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("pay"),
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, params }) => ({
    body: await resolvePayment({ db, actor, origin }, merchantId, params.id, publicUrl()),
  }),
});
