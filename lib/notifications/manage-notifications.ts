// The dashboard's side of notifications: the merchant's list (with each email's state), a member's
// read marks and per-kind opt-outs. Only a signed-in member has a read state and preferences.
import { z } from "zod";
import { type AccessDeps, type Actor, authorize } from "../access/actor";
import type { Db } from "../db/client";
import type { NotificationEmailStatus } from "../db/generated/enums";
import { AppError } from "../errors";
import { NOTIFICATION_KINDS, type TNotificationKind, ZNotificationKind } from "./kinds";

export type TNotificationListItem = {
  id: string;
  kind: TNotificationKind;
  title: string;
  body: string;
  link: string | null;
  createdAt: Date;
  /** The signed-in member's read state; null when they were not a recipient (e.g. a viewer). */
  read: boolean | null;
  /** How many recipients' emails are in each state, and the failed attempts of those pending. */
  emails: Record<NotificationEmailStatus, number>;
  failedAttempts: number;
  lastError: string | null;
};

type MemberDeps = { db: Db } & AccessDeps;

function memberOf(actor: Actor): { userId: string; merchantId: string } {
  if (actor.type !== "user") throw new AppError("forbidden", "Only a signed-in member has notifications.");
  return { userId: actor.userId, merchantId: actor.merchantId };
}

/** The merchant's notifications, newest first (any member: the audit log shows as much). */
export async function listNotifications(
  deps: MemberDeps,
  merchantId: string,
  options: { limit?: number } = {},
): Promise<TNotificationListItem[]> {
  authorize(deps.actor, merchantId, "audit:read");
  const userId = deps.actor.type === "user" ? deps.actor.userId : null;
  const rows = await deps.db.notification.findMany({
    where: { merchantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(options.limit ?? 100, 200),
    select: {
      id: true,
      kind: true,
      title: true,
      body: true,
      link: true,
      createdAt: true,
      recipients: { select: { userId: true, status: true, attempts: true, lastError: true, readAt: true } },
    },
  });
  return rows.map(({ recipients, ...row }) => {
    const emails: Record<NotificationEmailStatus, number> = {
      pending: 0,
      sent: 0,
      opted_out: 0,
      email_off: 0,
    };
    for (const recipient of recipients) emails[recipient.status] += 1;
    const pending = recipients.filter((recipient) => recipient.status === "pending");
    const own = recipients.find((recipient) => userId !== null && recipient.userId === userId);
    return {
      ...row,
      read: own ? own.readAt !== null : null,
      emails,
      failedAttempts: pending.reduce((sum, recipient) => sum + recipient.attempts, 0),
      lastError: pending.find((recipient) => recipient.lastError)?.lastError ?? null,
    };
  });
}

/** Marks the member's unread notifications read; returns how many. */
export async function markNotificationsRead(deps: MemberDeps & { now?: Date }): Promise<number> {
  const { userId, merchantId } = memberOf(deps.actor);
  const { count } = await deps.db.notificationRecipient.updateMany({
    where: { userId, readAt: null, notification: { merchantId } },
    data: { readAt: deps.now ?? new Date() },
  });
  return count;
}

/** The kinds the member gets emails for (every kind unless opted out). */
export async function notificationPreferences(deps: MemberDeps): Promise<Record<TNotificationKind, boolean>> {
  const { userId } = memberOf(deps.actor);
  const optOuts = await deps.db.notificationOptOut.findMany({ where: { userId }, select: { kind: true } });
  const off = new Set(optOuts.map((optOut) => optOut.kind));
  return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, !off.has(kind)])) as Record<
    TNotificationKind,
    boolean
  >;
}

export const ZNotificationPreferences = z.strictObject({
  /** The kinds the member wants emails for; the others are opted out. */
  email: z.array(ZNotificationKind).max(NOTIFICATION_KINDS.length),
});

/** Replaces the member's opt-outs: every kind not in `email` is opted out (their own only). */
export async function setNotificationPreferences(
  deps: MemberDeps,
  input: unknown,
): Promise<Record<TNotificationKind, boolean>> {
  const { userId } = memberOf(deps.actor);
  const parsed = ZNotificationPreferences.safeParse(input);
  if (!parsed.success)
    throw new AppError("validation_failed", "email: unknown notification kind", {
      errors: [{ path: "email", message: "unknown notification kind" }],
    });
  const wanted = new Set(parsed.data.email);
  const off = NOTIFICATION_KINDS.filter((kind) => !wanted.has(kind));
  await deps.db.$transaction([
    deps.db.notificationOptOut.deleteMany({ where: { userId } }),
    deps.db.notificationOptOut.createMany({ data: off.map((kind) => ({ userId, kind })) }),
  ]);
  return notificationPreferences(deps);
}
