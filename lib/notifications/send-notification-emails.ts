// The notification-email job's work: claims due emails (SKIP LOCKED, leased), sends each through
// SMTP, and records the outcome. A failure is recorded (attempts, last error) and retried with
// backoff, without end: an email is never dropped. A process dying between sending and recording
// leaves the lease to expire and the email to be sent again (at least once, never zero times).
import { createTransport, type Transporter } from "nodemailer";
import type { Db } from "../db/client";
import type { Logger } from "../logger";
import { composeNotificationEmail } from "./notification-email";

export type NotificationEmailDeps = {
  db: Db;
  logger: Logger;
  /** SMTP_URL; unset = emails are off: due ones are recorded as email_off (dashboard only). */
  smtpUrl: string | undefined;
  from: string;
  /** The gateway's public URL, for the dashboard links. */
  publicUrl: string;
  now?: () => Date;
  /** A transport to reuse (tests); created from smtpUrl otherwise. */
  transport?: Transporter;
};

/** Emails claimed per run. */
const BATCH = 50;
/** A claimed email is another run's after this (the sending process died). */
export const EMAIL_LEASE_MS = 5 * 60_000;
/** Retry after 30 s, 1, 2, 4 … minutes, at most an hour apart. */
export function emailRetryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, Math.min(attempts - 1, 10)));
}

export type NotificationEmailRun = { sent: number; failed: number; off: number };

export async function sendDueNotificationEmails(deps: NotificationEmailDeps): Promise<NotificationEmailRun> {
  const now = deps.now?.() ?? new Date();
  if (!deps.smtpUrl) {
    const { count } = await deps.db.notificationRecipient.updateMany({
      where: { status: "pending" },
      data: { status: "email_off", nextAttemptAt: null },
    });
    return { sent: 0, failed: 0, off: count };
  }
  const leaseUntil = new Date(now.getTime() + EMAIL_LEASE_MS);
  const claimed = await deps.db.$queryRaw<{ id: string }[]>`
    UPDATE notification_recipients SET next_attempt_at = ${leaseUntil}
    WHERE id IN (
      SELECT id FROM notification_recipients
      WHERE status = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at LIMIT ${BATCH}
      FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  const run: NotificationEmailRun = { sent: 0, failed: 0, off: 0 };
  if (claimed.length === 0) return run;
  const emails = await deps.db.notificationRecipient.findMany({
    where: { id: { in: claimed.map((row) => row.id) } },
    select: {
      id: true,
      email: true,
      attempts: true,
      userId: true,
      notification: {
        select: { kind: true, title: true, body: true, link: true, merchant: { select: { name: true } } },
      },
    },
  });
  const transport = deps.transport ?? smtpTransport(deps.smtpUrl);
  try {
    for (const email of emails) {
      const message = composeNotificationEmail(email.notification, {
        publicUrl: deps.publicUrl,
        toOperator: email.userId === null,
      });
      try {
        await transport.sendMail({ from: deps.from, to: email.email, ...message });
        await deps.db.notificationRecipient.updateMany({
          where: { id: email.id, status: "pending" },
          data: { status: "sent", sentAt: deps.now?.() ?? new Date(), nextAttemptAt: null, lastError: null },
        });
        run.sent += 1;
      } catch (error) {
        const attempts = email.attempts + 1;
        const reason = error instanceof Error ? error.message : String(error);
        await deps.db.notificationRecipient.updateMany({
          where: { id: email.id, status: "pending" },
          data: {
            attempts,
            lastError: reason.slice(0, 500),
            nextAttemptAt: new Date(now.getTime() + emailRetryDelayMs(attempts)),
          },
        });
        deps.logger.warn("notification email failed; retrying later", {
          recipientId: email.id,
          attempts,
          error: reason,
        });
        run.failed += 1;
      }
    }
  } finally {
    if (!deps.transport) transport.close();
  }
  return run;
}

/** Nodemailer's SMTP transport from SMTP_URL, with timeouts short enough for a job step. */
export function smtpTransport(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  return createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
    secure: url.protocol === "smtps:",
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    // smtp://…?ignoreTLS=true for a local relay without STARTTLS.
    ignoreTLS: url.searchParams.get("ignoreTLS") === "true",
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
