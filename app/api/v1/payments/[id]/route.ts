import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import { getPaymentOrThrow } from "@/lib/payments/get-payment";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  params: ZIdParams("pay"),
  handler: async ({ db, actor, merchantId, params }) => ({
    body: await getPaymentOrThrow({ db, actor }, merchantId, params.id, publicUrl()),
  }),
});
