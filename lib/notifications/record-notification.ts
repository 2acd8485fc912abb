// Records a notification and one email per recipient, in the caller's transaction: the request or
// job that caused it only inserts rows; the notification-email job sends them (lib/jobs/jobs.ts).
import { env } from "../config/env";
import type { Db, Tx } from "../db/client";
import { newId } from "../ids";
import { NOTIFIED_ROLES, type TNotificationKind } from "./kinds";

export type NotificationDraft = {
  kind: TNotificationKind;
  /** null: a gateway-wide incident for the operator (OPS_EMAIL; not recorded when unset). */
  merchantId: string | null;
  title: string;
  /** Plain text, never a secret (no API key, webhook secret or seed material). */
  body: string;
  /** The dashboard path it is about. */
  link: string | null;
  /**
   * Collapses bursts: a notification whose key was already recorded is not recorded again. Put a
   * time bucket in it (see {@link hourBucket}) to allow one per period.
   */
  dedupeKey?: string;
  now?: Date;
};

/** `2026-12-04T17`: one dedupe key per hour. */
export function hourBucket(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** `2026-12-04`: one dedupe key per day. */
export function dayBucket(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Records the merchant's notification for its owners and admins (an opted-out member's email is
 * recorded as opted_out, not sent), or the operator's (merchantId null). Returns its id, or null
 * when the dedupe key was already taken (or the operator has no address).
 */
export async function recordNotification(
  tx: Tx | Db,
  draft: NotificationDraft,
  opsEmail: string | undefined = env().OPS_EMAIL,
): Promise<string | null> {
  const { merchantId } = draft;
  if (merchantId === null && !opsEmail) return null;
  const id = await insertNotification(tx, draft);
  if (!id) return null;
  const now = draft.now ?? new Date();
  const recipients = merchantId
    ? await tx.user.findMany({
        where: { merchantId, role: { in: [...NOTIFIED_ROLES] } },
        select: {
          id: true,
          email: true,
          notificationOptOuts: { where: { kind: draft.kind }, select: { kind: true } },
        },
        orderBy: { id: "asc" },
      })
    : [{ id: null, email: opsEmail ?? "", notificationOptOuts: [] }];
  await tx.notificationRecipient.createMany({
    data: recipients.map((recipient) => {
      const optedOut = recipient.notificationOptOuts.length > 0;
      return {
        id: newId("ntr"),
        notificationId: id,
        userId: recipient.id,
        email: recipient.email,
        status: optedOut ? ("opted_out" as const) : ("pending" as const),
        nextAttemptAt: optedOut ? null : now,
      };
    }),
  });
  return id;
}

/** Inserts the notification row unless its dedupe key exists (ON CONFLICT: no aborted transaction). */
async function insertNotification(tx: Tx | Db, draft: NotificationDraft): Promise<string | null> {
  const id = newId("ntf");
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO notifications (id, merchant_id, kind, title, body, link, dedupe_key, created_at)
    VALUES (${id}, ${draft.merchantId}, ${draft.kind}::notification_kind, ${draft.title}, ${draft.body},
      ${draft.link}, ${draft.dedupeKey ?? null}, ${draft.now ?? new Date()})
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}
