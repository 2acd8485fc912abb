import type { WebhookDeliveryLogEntry } from "@/lib/dashboard/list-webhook-delivery-log";
import styles from "../dashboard.module.css";
import { FORBIDDEN_NOTICE } from "../page-notice";
import { formatTimestamp } from "../status-badge";
import { retryWebhookDeliveryAction } from "./actions";

const STATUS_TONE: Record<WebhookDeliveryLogEntry["status"], string> = {
  pending: "badge-warn",
  succeeded: "badge-ok",
  failed: "badge-bad",
};

/** Notices the retry action returns with (`?notice=`). */
export const DELIVERY_NOTICES: Record<string, { text: string; tone: "ok" | "bad" }> = {
  retried: { text: "Delivery retried: the endpoint answered with success.", tone: "ok" },
  "retry-failed": { text: "Delivery retried, but the endpoint did not answer with a 2xx.", tone: "bad" },
  "retry-refused": {
    text: "This delivery's endpoint is disabled or deleted: it cannot be retried.",
    tone: "bad",
  },
  ...FORBIDDEN_NOTICE,
};

export function DeliveryNotice({ notice }: { notice: unknown }) {
  const message = typeof notice === "string" ? DELIVERY_NOTICES[notice] : undefined;
  if (!message) return null;
  return (
    <p className={message.tone === "ok" ? styles.noticeOk : styles.noticeBad} role="status">
      {message.text}
    </p>
  );
}

/**
 * A table of webhook deliveries, each with its attempts (status code, duration, response excerpt,
 * error) behind a disclosure and a retry button. `returnTo` is the page the retry comes back to.
 */
export function DeliveryLog({
  deliveries,
  returnTo,
  showEndpoint = true,
  emptyText = "No webhook deliveries yet.",
  canRetry,
}: {
  deliveries: WebhookDeliveryLogEntry[];
  returnTo: string;
  /** The member holds webhooks:write (the Retry button is shown). */
  canRetry: boolean;
  showEndpoint?: boolean;
  emptyText?: string;
}) {
  if (deliveries.length === 0) return <p className="muted">{emptyText}</p>;
  return (
    <div className="table-scroll">
      <table data-testid="delivery-log">
        <thead>
          <tr>
            <th scope="col">Event</th>
            {showEndpoint ? <th scope="col">Endpoint</th> : null}
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id} id={delivery.id} data-testid="delivery-row">
              <td>
                <strong>{delivery.event_type}</strong>
                <br />
                <code className="muted">{delivery.event_id}</code>
                <br />
                <span className="muted">{formatTimestamp(delivery.created_at)}</span>
              </td>
              {showEndpoint ? (
                <td>
                  <code>{delivery.endpoint_url}</code>
                </td>
              ) : null}
              <td>
                <span className={`badge ${STATUS_TONE[delivery.status]}`} data-testid="delivery-status">
                  {delivery.status}
                </span>
              </td>
              <td>
                {delivery.attempts.length === 0 ? (
                  <span className="muted">none yet</span>
                ) : (
                  <details>
                    <summary>
                      {delivery.attempts.length} attempt{delivery.attempts.length === 1 ? "" : "s"}
                    </summary>
                    <ol className={styles.attempts} data-testid="delivery-attempts">
                      {delivery.attempts.map((attempt) => (
                        <li key={attempt.id} data-testid="delivery-attempt">
                          <strong>
                            #{attempt.attempt_number}{" "}
                            {attempt.status_code === null ? "no response" : `HTTP ${attempt.status_code}`}
                          </strong>{" "}
                          <span className="muted">
                            {attempt.duration_ms} ms · {formatTimestamp(attempt.created_at)}
                          </span>
                          {attempt.error ? <div className="form-error">{attempt.error}</div> : null}
                          {attempt.response_snippet ? (
                            <pre className={styles.snippet}>{attempt.response_snippet}</pre>
                          ) : null}
                        </li>
                      ))}
                    </ol>
                  </details>
                )}
              </td>
              <td>{delivery.next_attempt_at ? formatTimestamp(delivery.next_attempt_at) : "—"}</td>
              <td>
                {delivery.retryable && canRetry ? (
                  <form action={retryWebhookDeliveryAction}>
                    <input type="hidden" name="deliveryId" value={delivery.id} />
                    <input type="hidden" name="returnTo" value={returnTo} />
                    <button
                      type="submit"
                      className="button button-secondary button-small"
                      aria-label={`Retry ${delivery.event_type} delivery ${delivery.id}`}
                    >
                      Retry
                    </button>
                  </form>
                ) : (
                  <span className="muted">endpoint disabled</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
