import type { Actor } from "../access/actor";
import type { Prisma, Tx } from "../db/client";
import { newId } from "../ids";
import { notifyAuditedChange } from "../notifications/notify";

/** What the audit log records. Dotted `object.verb`, past tense. */
export const AUDIT_ACTIONS = [
  "user.signed_in",
  "user.sign_in_failed",
  "user.signed_out",
  "user.password_changed",
  "member.invited",
  "member.invitation_revoked",
  "member.joined",
  "member.added",
  "member.role_changed",
  "member.removed",
  "api_key.created",
  "api_key.revoked",
  "settings.treasury_changed",
  "settings.payout_limits_changed",
  "settings.change_scheduled",
  "settings.change_canceled",
  "settings.change_applied",
  "settings.account_changed",
  "payout.approved",
  "payout.rejected",
  "payment.refunded",
  "payment.unattributed_transfer_resolved",
  "payment.expiry_extended",
] as const;
export type TAuditAction = (typeof AUDIT_ACTIONS)[number];

/** Where a request came from, when the change was made through one (API or dashboard). */
export type RequestOrigin = { clientAddress?: string | null; requestId?: string | null };

/** An actor, or nobody known (a failed sign-in names the email it tried in `details`). */
export type AuditActor = Actor | { type: "anonymous" };

export type AuditEntryParams = {
  merchantId: string;
  actor: AuditActor;
  action: TAuditAction;
  targetId?: string | null;
  details?: Prisma.InputJsonObject;
  origin?: RequestOrigin;
};

function actorId(actor: AuditActor): string | null {
  if (actor.type === "api_key") return actor.apiKeyId;
  if (actor.type === "user") return actor.userId;
  return null;
}

/**
 * Appends an entry to the merchant's audit log, in the caller's transaction when it passes one, so
 * the entry exists exactly when the change it records was committed. The table is append-only (a
 * trigger refuses UPDATE, DELETE and TRUNCATE; see the AuditLogEntry model).
 */
export async function recordAuditEntry(tx: Tx, params: AuditEntryParams): Promise<string> {
  const id = newId("aud");
  await tx.auditLogEntry.create({
    data: {
      id,
      merchantId: params.merchantId,
      action: params.action,
      actorType: params.actor.type,
      actorId: actorId(params.actor),
      targetId: params.targetId ?? null,
      details: params.details ?? {},
      clientAddress: params.origin?.clientAddress ?? null,
      requestId: params.origin?.requestId ?? null,
    },
    select: { id: true },
  });
  await notifyAuditedChange(tx, params);
  return id;
}
