import Link from "next/link";
import { redirect } from "next/navigation";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { listWebhookDeliveryLog, ZWebhookDeliveryLogQuery } from "@/lib/dashboard/list-webhook-delivery-log";
import { AppError } from "@/lib/errors";
import { listWebhookEndpoints } from "@/lib/webhooks/manage-webhook-endpoints";
import { getWebhookEndpointHealth } from "@/lib/webhooks/webhook-endpoint-health";
import styles from "../../dashboard.module.css";
import { LiveRefresh } from "../../live-refresh";
import { formatTimestamp } from "../../status-badge";
import { DeliveryLog, DeliveryNotice } from "../delivery-log";
import { CreateEndpointForm } from "../endpoint-forms";
import { EndpointHealth } from "../endpoint-health";

export const metadata = { title: "Webhooks" };

export default async function WebhooksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/webhooks");
  const canWrite = hasPermission(actor, "webhooks:write");
  const { notice, after, status: statusParam } = await searchParams;
  const cursor = ZWebhookDeliveryLogQuery.shape.starting_after.safeParse(after);
  const status = ZWebhookDeliveryLogQuery.shape.status.safeParse(statusParam || undefined);
  if ((after !== undefined && !cursor.success) || !status.success) redirect("/dashboard/webhooks");
  const [endpoints, log] = await Promise.all([
    listWebhookEndpoints({ db, actor }, merchant.id, { limit: 100 }),
    listWebhookDeliveryLog(db, merchant.id, { starting_after: cursor.data, status: status.data }).catch(
      (error: unknown) => {
        if (error instanceof AppError && error.code === "validation_failed") return null;
        throw error;
      },
    ),
  ]);
  // A cursor of another merchant (or a typo) is not an error page: back to the newest deliveries.
  if (!log) redirect("/dashboard/webhooks");
  const health = await getWebhookEndpointHealth(
    { db },
    merchant.id,
    endpoints.data.map((endpoint) => endpoint.id),
  );
  const logUrl = (page: { after?: string }) => {
    const query = new URLSearchParams();
    if (status.data) query.set("status", status.data);
    if (page.after) query.set("after", page.after);
    return `/dashboard/webhooks${query.size > 0 ? `?${query}` : ""}`;
  };
  const returnTo = logUrl({ after: cursor.data });
  return (
    <>
      <LiveRefresh />
      <h1>Webhooks</h1>
      <p className="muted">
        Signed event notifications (Standard Webhooks) for your server. Failed deliveries are retried for
        about three days.
      </p>
      {notice === "deleted" ? (
        <p className={styles.noticeOk} role="status">
          Webhook endpoint deleted.
        </p>
      ) : null}
      <DeliveryNotice notice={notice} />
      {canWrite ? (
        <section className="card" aria-labelledby="new-endpoint-heading">
          <h2 id="new-endpoint-heading">Add an endpoint</h2>
          <CreateEndpointForm />
        </section>
      ) : null}
      <section className="card" aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Endpoints</h2>
        {endpoints.data.length === 0 ? (
          <p className="muted">No webhook endpoints yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Health</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.data.map((endpoint) => (
                  <tr key={endpoint.id} data-testid="endpoint-row">
                    <td>
                      <Link href={`/dashboard/webhooks/${endpoint.id}`} aria-label={`Manage ${endpoint.url}`}>
                        <code>{endpoint.url}</code>
                      </Link>
                      {endpoint.description ? <div className="muted">{endpoint.description}</div> : null}
                    </td>
                    <td>
                      {endpoint.enabled_events.length === 0
                        ? "all events"
                        : endpoint.enabled_events.join(", ")}
                    </td>
                    <td>
                      <EndpointHealth health={health.get(endpoint.id)} />
                    </td>
                    <td>{formatTimestamp(endpoint.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="log-heading">
        <h2 id="log-heading">Delivery log</h2>
        <form
          method="get"
          action="/dashboard/webhooks"
          className="inline-form"
          aria-label="Filter deliveries"
        >
          <div className="field">
            <label htmlFor="delivery-status-filter">Delivery status</label>
            <select id="delivery-status-filter" name="status" defaultValue={status.data ?? ""}>
              <option value="">all</option>
              <option value="failed">failed (retrying or given up)</option>
              <option value="pending">pending (not attempted yet)</option>
              <option value="succeeded">succeeded</option>
            </select>
          </div>
          <button type="submit" className="button button-secondary">
            Show
          </button>
        </form>
        <DeliveryLog
          canRetry={canWrite}
          deliveries={log.data}
          returnTo={returnTo}
          emptyText={status.data ? `No ${status.data} deliveries.` : undefined}
        />
        <nav aria-label="Delivery log pages" className={styles.pagination}>
          {cursor.data ? <Link href={logUrl({})}>Newest deliveries</Link> : null}
          {log.next_cursor ? (
            <Link href={`${logUrl({ after: log.next_cursor })}#log-heading`}>Older deliveries →</Link>
          ) : null}
        </nav>
      </section>
    </>
  );
}
