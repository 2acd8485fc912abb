import { publicUrl } from "@/lib/config/public-url";
import { apiRoute } from "@/lib/http/api-route";
import { ZIdParams } from "@/lib/http/route-params";
import {
  resolveUnattributedTransfer,
  ZResolveUnattributedTransfer,
} from "@/lib/payments/resolve-unattributed-transfer";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  params: ZIdParams("pay"),
  body: ZResolveUnattributedTransfer,
  handler: async ({ db, actor, origin, merchantId, params, body }) => ({
    body: await resolveUnattributedTransfer(
      { db, actor, origin, baseUrl: publicUrl() },
      merchantId,
      params.id,
      body,
    ),
  }),
});
