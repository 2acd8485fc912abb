import { listAuditLog, ZListAuditLogQuery } from "@/lib/audit/list-audit-log";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  query: ZListAuditLogQuery,
  handler: async ({ db, merchantId, actor, query }) => ({
    body: await listAuditLog({ db, actor }, merchantId, query),
  }),
});
