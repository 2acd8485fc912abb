import Link from "next/link";
import { notFound } from "next/navigation";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { listWebhookDeliveryLog } from "@/lib/dashboard/list-webhook-delivery-log";
import { AppError } from "@/lib/errors";
import { getWebhookEndpointOrThrow } from "@/lib/webhooks/manage-webhook-endpoints";
import { getWebhookEndpointHealth } from "@/lib/webhooks/webhook-endpoint-health";
import styles from "../../dashboard.module.css";
import { LiveRefresh } from "../../live-refresh";
import { formatTimestamp } from "../../status-badge";
import { deleteWebhookEndpointAction, setWebhookEndpointStatusAction } from "../actions";
import { DeliveryLog, DeliveryNotice } from "../delivery-log";
import { EditEndpointForm } from "../endpoint-forms";
import { EndpointHealth } from "../endpoint-health";
import { RotateSecretForm, SendTestForm } from "../endpoint-tools";

export const metadata = { title: "Webhook endpoint" };

const STATUS_NOTICES: Record<string, string> = {
  enabled: "Endpoint enabled: new events are delivered to it.",
  disabled: "Endpoint disabled: no new deliveries are made to it.",
  "delete-unconfirmed": "Tick the confirmation box to delete the endpoint.",
  "endpoint-limit":
    "Not enabled: your account has reached its limit of active webhook endpoints. Disable or delete another one first.",
};

export default async function WebhookEndpointPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { notice } = await searchParams;
  const path = `/dashboard/webhooks/${encodeURIComponent(id)}`;
  const { db, actor, merchant } = await requireMerchantSession(path);
  // Viewers read the endpoint and its log; changing it needs webhooks:write.
  const canWrite = hasPermission(actor, "webhooks:write");
  if (!/^we_[0-9A-Za-z]{22}$/.test(id)) notFound();
  let endpoint: Awaited<ReturnType<typeof getWebhookEndpointOrThrow>>;
  try {
    endpoint = await getWebhookEndpointOrThrow({ db, actor }, merchant.id, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  const [log, health] = await Promise.all([
    listWebhookDeliveryLog(db, merchant.id, { endpoint: endpoint.id, limit: 50 }),
    getWebhookEndpointHealth({ db }, merchant.id, [endpoint.id]),
  ]);
  const statusNotice = typeof notice === "string" ? STATUS_NOTICES[notice] : undefined;
  const enabled = endpoint.status === "enabled";
  return (
    <>
      <LiveRefresh />
      <p>
        <Link href="/dashboard/webhooks">← Webhooks</Link>
      </p>
      <div className={styles.pageHeader}>
        <h1 className={styles.endpointTitle}>
          <code>{endpoint.url}</code>
        </h1>
        {canWrite ? (
          <form action={setWebhookEndpointStatusAction}>
            <input type="hidden" name="endpointId" value={endpoint.id} />
            <input type="hidden" name="status" value={enabled ? "disabled" : "enabled"} />
            <button type="submit" className="button button-secondary">
              {enabled ? "Disable endpoint" : "Enable endpoint"}
            </button>
          </form>
        ) : null}
      </div>
      {statusNotice ? (
        <p className={notice === "delete-unconfirmed" ? styles.noticeBad : styles.noticeOk} role="status">
          {statusNotice}
        </p>
      ) : null}
      <DeliveryNotice notice={notice} />
      <p>
        <EndpointHealth health={health.get(endpoint.id)} />
      </p>
      <p className="muted">
        <code data-testid="endpoint-id">{endpoint.id}</code> · created {formatTimestamp(endpoint.created_at)}{" "}
        · updated {formatTimestamp(endpoint.updated_at)}
      </p>

      {canWrite ? (
        <section className="card" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Endpoint</h2>
          <EditEndpointForm endpoint={endpoint} />
        </section>
      ) : null}

      {canWrite ? (
        <section className="card" aria-labelledby="tools-heading">
          <h2 id="tools-heading">Signing secret and test</h2>
          <p className="muted">
            The secret is shown only when the endpoint is created or the secret is rotated.
          </p>
          <div className={styles.actionRow}>
            <RotateSecretForm endpointId={endpoint.id} />
            <SendTestForm endpointId={endpoint.id} />
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="log-heading">
        <h2 id="log-heading">Delivery log</h2>
        <DeliveryLog
          canRetry={canWrite}
          deliveries={log.data}
          returnTo={`/dashboard/webhooks/${endpoint.id}`}
          showEndpoint={false}
        />
      </section>

      {canWrite ? (
        <section className="card" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete endpoint</h2>
          <p className="muted">
            Stops its pending deliveries. Its delivery log stays readable on the webhooks page.
          </p>
          <form action={deleteWebhookEndpointAction} className="inline-form">
            <input type="hidden" name="endpointId" value={endpoint.id} />
            <label className={styles.checkboxLabel}>
              <input type="checkbox" name="confirm" required /> Yes, delete this endpoint
            </label>
            <button type="submit" className="button button-danger">
              Delete endpoint
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}
