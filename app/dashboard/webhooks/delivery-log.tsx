import type { WebhookDeliveryLogEntry } from "@/lib/dashboard/list-webhook-delivery-log";
import styles from "../dashboard.module.css";
import { FORBIDDEN_NOTICE } from "../page-notice";
import { formatTimestamp } from "../status-badge";
import { retryWebhookDeliveryAction } from "./actions";

const OUTCOME_TONE: Record<WebhookDeliveryLogEntry["outcome"], string> = {
  pending: "badge-warn",
  succeeded: "badge-ok",
  failed: "badge-bad",
};

/** Notices the retry action returns with (`?notice=`). */
export const DELIVERY_NOTICES: Record<string, { text: string; tone: "ok" | "bad" }> = {
  retried: { text: "Delivery retried: the endpoint answered with success.", tone: "ok" },
  "retry-failed": { text: "Delivery retried, but the endpoint did not answer with a 2xx.", tone: "bad" },
  "retry-refused": {
    text: "This delivery cannot be retried: it succeeded already, or its endpoint is disabled or deleted.",
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

/** Why a row offers no Retry button. */
function retryBlockedReason(delivery: WebhookDeliveryLogEntry): string {
  if (delivery.outcome === "succeeded") return "delivered";
  if (delivery.outcome === "pending") return "not attempted yet";
  return delivery.retryable ? "" : "endpoint disabled";
}

/**
 * A table of webhook deliveries, each with its outcome and latest status code, its attempts (status
 * code, duration, response excerpt, error) and request payload behind disclosures, and a retry
 * button where a retry makes sense (failed, endpoint enabled). `returnTo` is the page the retry comes back to.
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
                <span className={`badge ${OUTCOME_TONE[delivery.outcome]}`} data-testid="delivery-status">
                  {delivery.outcome}
                </span>{" "}
                {delivery.attempt_count > 0 ? (
                  <span data-testid="delivery-status-code">
                    {delivery.last_status_code === null ? "no response" : `HTTP ${delivery.last_status_code}`}
                  </span>
                ) : null}
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
                <details data-testid="delivery-payload">
                  <summary>Request payload</summary>
                  <pre className={styles.snippet}>{delivery.payload}</pre>
                </details>
              </td>
              <td>
                {delivery.next_attempt_at
                  ? formatTimestamp(delivery.next_attempt_at)
                  : delivery.outcome === "failed"
                    ? "no more retries"
                    : "—"}
              </td>
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
                  <span className="muted">{retryBlockedReason(delivery)}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
