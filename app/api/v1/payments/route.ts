import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { createPayment, ZCreatePayment } from "@/lib/payments/create-payment";
import { listPayments, ZListPaymentsQuery } from "@/lib/payments/list-payments";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  body: ZCreatePayment,
  // createPayment writes with two raw statements on the client it is given: atomic with its key.
  atomicIdempotency: true,
  handler: async ({ db, merchantId, body }) => ({
    status: 201,
    body: await createPayment({ db, chains: configuredChains(), baseUrl: publicUrl() }, merchantId, body),
  }),
});

export const GET = apiRoute({
  query: ZListPaymentsQuery,
  handler: async ({ db, merchantId, query }) => ({
    body: await listPayments(db, merchantId, query, publicUrl()),
  }),
});
