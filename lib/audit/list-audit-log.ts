import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import {
  afterCursor,
  CURSOR_SELECT,
  createdBetween,
  findCursor,
  type ListPage,
  NEWEST_FIRST,
  toPage,
  ZListQuery,
  ZTimestampFilter,
} from "../http/pagination";
import {
  AUDIT_LOG_ENTRY_SELECT,
  serializeAuditLogEntry,
  type TAuditLogEntryObject,
} from "./audit-log-entry-object";
import { AUDIT_ACTIONS } from "./record-audit-entry";

export const ZListAuditLogQuery = z.strictObject({
  ...ZListQuery,
  action: z.enum(AUDIT_ACTIONS).optional(),
  /** Entries made by this member or key (`usr_…`, `key_…`). */
  actor_id: z.string().max(64).optional(),
  "created[gte]": ZTimestampFilter.optional(),
  "created[lte]": ZTimestampFilter.optional(),
});
export type TListAuditLogQuery = z.infer<typeof ZListAuditLogQuery>;

/** The merchant's audit log, newest first, cursor-paginated (`audit:read`). */
export async function listAuditLog(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  query: TListAuditLogQuery,
): Promise<ListPage<TAuditLogEntryObject>> {
  authorize(deps.actor, merchantId, "audit:read");
  const { db } = deps;
  const cursor = await findCursor(query.starting_after, "audit log entry", (id) =>
    db.auditLogEntry.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.auditLogEntry.findMany({
    where: {
      merchantId,
      ...(query.action ? { action: query.action } : {}),
      ...(query.actor_id ? { actorId: query.actor_id } : {}),
      ...createdBetween(query),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: AUDIT_LOG_ENTRY_SELECT,
  });
  return toPage(rows, query.limit, serializeAuditLogEntry);
}
