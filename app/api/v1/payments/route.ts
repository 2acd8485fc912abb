import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { createFiatPayment, isFiatRequest, ZCreatePaymentRequest } from "@/lib/payments/create-fiat-payment";
import { createPayment } from "@/lib/payments/create-payment";
import { listPayments, ZListPaymentsQuery } from "@/lib/payments/list-payments";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  // A body with `price` is priced in fiat (the payer picks the coin), any other the single-coin form.
  body: ZCreatePaymentRequest,
  // createPayment writes with two raw statements on the client it is given: atomic with its key.
  atomicIdempotency: true,
  handler: async ({ db, actor, origin, merchantId, body }) => {
    const deps = { db, actor, origin, chains: configuredChains(), baseUrl: publicUrl() };
    return {
      status: 201,
      body: isFiatRequest(body)
        ? await createFiatPayment(deps, merchantId, body)
        : await createPayment(deps, merchantId, body),
    };
  },
});

export const GET = apiRoute({
  query: ZListPaymentsQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listPayments({ db, actor }, merchantId, query, publicUrl()),
  }),
});
