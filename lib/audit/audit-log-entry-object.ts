import { z } from "zod";

export const AUDIT_ACTOR_TYPES = ["user", "api_key", "operator", "system", "anonymous"] as const;

/** An entry of the audit log as the API returns it (`GET /api/v1/audit-log`). */
export const ZAuditLogEntryObject = z.strictObject({
  id: z.string(),
  object: z.literal("audit_log_entry"),
  /** Dotted `object.verb`, e.g. `member.invited`, `user.sign_in_failed` (see AUDIT_ACTIONS). */
  action: z.string(),
  /** Who did it: a member (`usr_…`), an API key (`key_…`), the operator, the gateway, or nobody known. */
  actor: z.strictObject({ type: z.enum(AUDIT_ACTOR_TYPES), id: z.string().nullable() }),
  target_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  client_address: z.string().nullable(),
  request_id: z.string().nullable(),
  created_at: z.string(),
});
export type TAuditLogEntryObject = z.infer<typeof ZAuditLogEntryObject>;

export const AUDIT_LOG_ENTRY_SELECT = {
  id: true,
  action: true,
  actorType: true,
  actorId: true,
  targetId: true,
  details: true,
  clientAddress: true,
  requestId: true,
  createdAt: true,
} as const;

export function serializeAuditLogEntry(row: {
  id: string;
  action: string;
  actorType: string;
  actorId: string | null;
  targetId: string | null;
  details: unknown;
  clientAddress: string | null;
  requestId: string | null;
  createdAt: Date;
}): TAuditLogEntryObject {
  return {
    id: row.id,
    object: "audit_log_entry",
    action: row.action,
    actor: { type: row.actorType as TAuditLogEntryObject["actor"]["type"], id: row.actorId },
    target_id: row.targetId,
    details:
      row.details !== null && typeof row.details === "object" && !Array.isArray(row.details)
        ? (row.details as Record<string, unknown>)
        : {},
    client_address: row.clientAddress,
    request_id: row.requestId,
    created_at: row.createdAt.toISOString(),
  };
}
