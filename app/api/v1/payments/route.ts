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
  handler: async ({ db, actor, origin, merchantId, body }) => ({
    status: 201,
    body: await createPayment(
      { db, actor, origin, chains: configuredChains(), baseUrl: publicUrl() },
      merchantId,
      body,
    ),
  }),
});

export const GET = apiRoute({
  query: ZListPaymentsQuery,
  handler: async ({ db, actor, merchantId, query }) => ({
    body: await listPayments({ db, actor }, merchantId, query, publicUrl()),
  }),
});
