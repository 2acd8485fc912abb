import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { NOTIFICATION_KIND_LABELS } from "@/lib/notifications/kinds";
import {
  listNotifications,
  notificationPreferences,
  type TNotificationListItem,
} from "@/lib/notifications/manage-notifications";
import { PageNotice } from "../page-notice";
import { formatTimestamp } from "../status-badge";
import { markNotificationsReadAction } from "./actions";
import { NotificationPreferencesForm } from "./preferences-form";

export const metadata = { title: "Notifications" };

const PATH = "/dashboard/notifications";

/** What became of the emails: sent, retrying (with the attempts so far), opted out, or email off. */
function describeEmails(item: TNotificationListItem): string {
  const { emails } = item;
  const parts = [
    emails.sent ? `sent to ${emails.sent}` : null,
    emails.pending
      ? `${emails.pending} pending${item.failedAttempts ? ` (${item.failedAttempts} failed attempts, retrying)` : ""}`
      : null,
    emails.opted_out ? `${emails.opted_out} opted out` : null,
    emails.email_off ? "not emailed (no SMTP server configured)" : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "no recipients";
}

export default async function NotificationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, merchant, actor } = await requireMerchantSession(PATH);
  const [items, email] = await Promise.all([
    listNotifications({ db, actor }, merchant.id),
    notificationPreferences({ db, actor }),
  ]);
  const unread = items.filter((item) => item.read === false).length;
  return (
    <>
      <h1>Notifications</h1>
      <PageNotice
        notices={{ read: { text: "Marked as read.", tone: "ok" } }}
        notice={(await searchParams).notice}
      />
      <p className="muted">
        What needed a person on this merchant, newest first. Owners and admins also get each one by email,
        unless they opt out of its kind below.
      </p>
      <section className="card" aria-labelledby="notifications-heading">
        <h2 id="notifications-heading">{unread > 0 ? `${unread} unread` : "All read"}</h2>
        {unread > 0 ? (
          <form action={markNotificationsReadAction}>
            <button type="submit" className="button">
              Mark all as read
            </button>
          </form>
        ) : null}
        {items.length === 0 ? (
          <p className="muted">No notifications yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">Notifications</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Kind</th>
                  <th scope="col">What happened</th>
                  <th scope="col">Read</th>
                  <th scope="col">Email</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id} data-testid="notification-row">
                    <td>{formatTimestamp(item.createdAt.toISOString())}</td>
                    <td>{NOTIFICATION_KIND_LABELS[item.kind]}</td>
                    <td>
                      {item.link ? <a href={item.link}>{item.title}</a> : item.title}
                      <br />
                      <span className="muted">{item.body}</span>
                    </td>
                    <td>{item.read === null ? "—" : item.read ? "Read" : <strong>Unread</strong>}</td>
                    <td title={item.lastError ?? undefined}>{describeEmails(item)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="preferences-heading">
        <h2 id="preferences-heading">Your email notifications</h2>
        <p className="muted">
          Emails go to owners and admins. Uncheck a kind to stop its emails to you; it stays in this list.
        </p>
        <NotificationPreferencesForm email={email} />
      </section>
    </>
  );
}
