import type { Db } from "../db/client";

/** An endpoint is failing after this many failed attempts in a row… */
export const FAILING_AFTER_CONSECUTIVE_FAILURES = 3;
/** …or when its latest attempt failed and none succeeded for this long. */
export const FAILING_WITHOUT_SUCCESS_MS = 60 * 60 * 1000;
/** Health is judged on the attempts of the endpoint's newest deliveries (an index range, not a scan). */
export const HEALTH_WINDOW_DELIVERIES = 50;

export type WebhookEndpointHealthStatus = "healthy" | "failing" | "disabled";

export type WebhookEndpointHealth = {
  status: WebhookEndpointHealthStatus;
  /** Failed attempts since the last success (counted among the window's newest attempts). */
  consecutiveFailures: number;
  lastAttemptAt: Date | null;
  /** The HTTP status of the latest attempt (null: none yet, or no response). */
  lastStatusCode: number | null;
  lastSuccessAt: Date | null;
};

export type EndpointAttempt = { statusCode: number | null; createdAt: Date };

const succeeded = (attempt: EndpointAttempt) =>
  attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;

/**
 * The rule, on an endpoint's attempts newest first:
 * - disabled: the endpoint is disabled (whatever its attempts);
 * - failing: its latest attempt failed, and either the last FAILING_AFTER_CONSECUTIVE_FAILURES
 *   attempts all failed or no attempt succeeded in the FAILING_WITHOUT_SUCCESS_MS before `now`;
 * - healthy: otherwise (also an endpoint with no attempt yet).
 */
export function webhookEndpointHealthOf(
  endpoint: { disabled: boolean },
  attemptsNewestFirst: readonly EndpointAttempt[],
  now: Date,
): WebhookEndpointHealth {
  const latest = attemptsNewestFirst[0];
  const firstSuccess = attemptsNewestFirst.findIndex(succeeded);
  const consecutiveFailures = firstSuccess === -1 ? attemptsNewestFirst.length : firstSuccess;
  const lastSuccessAt = firstSuccess === -1 ? null : (attemptsNewestFirst[firstSuccess]?.createdAt ?? null);
  const recentSuccess =
    lastSuccessAt !== null && now.getTime() - lastSuccessAt.getTime() < FAILING_WITHOUT_SUCCESS_MS;
  const failing =
    latest !== undefined &&
    !succeeded(latest) &&
    (consecutiveFailures >= FAILING_AFTER_CONSECUTIVE_FAILURES || !recentSuccess);
  return {
    status: endpoint.disabled ? "disabled" : failing ? "failing" : "healthy",
    consecutiveFailures,
    lastAttemptAt: latest?.createdAt ?? null,
    lastStatusCode: latest?.statusCode ?? null,
    lastSuccessAt,
  };
}

/**
 * The health of each of the merchant's given endpoints, computed from the attempts of their
 * HEALTH_WINDOW_DELIVERIES newest deliveries (webhook_deliveries(endpoint_id, created_at) index).
 */
export async function getWebhookEndpointHealth(
  deps: { db: Db; now?: () => Date },
  merchantId: string,
  endpointIds: readonly string[],
): Promise<Map<string, WebhookEndpointHealth>> {
  const now = deps.now?.() ?? new Date();
  if (endpointIds.length === 0) return new Map();
  const rows = await deps.db.$queryRaw<
    { endpoint_id: string; disabled: boolean; status_code: number | null; created_at: Date | null }[]
  >`
    SELECT endpoint.id AS endpoint_id, endpoint.disabled, attempt.status_code, attempt.created_at
    FROM webhook_endpoints endpoint
    LEFT JOIN LATERAL (
      SELECT delivery.id FROM webhook_deliveries delivery
      WHERE delivery.endpoint_id = endpoint.id
      ORDER BY delivery.created_at DESC LIMIT ${HEALTH_WINDOW_DELIVERIES}
    ) recent ON true
    LEFT JOIN webhook_attempts attempt ON attempt.delivery_id = recent.id
    WHERE endpoint.id = ANY(${[...endpointIds]}::text[]) AND endpoint.merchant_id = ${merchantId}
    ORDER BY endpoint.id, attempt.created_at DESC NULLS LAST, attempt.attempt_number DESC`;
  const byEndpoint = new Map<string, { disabled: boolean; attempts: EndpointAttempt[] }>();
  for (const row of rows) {
    const entry = byEndpoint.get(row.endpoint_id) ?? { disabled: row.disabled, attempts: [] };
    if (row.created_at) entry.attempts.push({ statusCode: row.status_code, createdAt: row.created_at });
    byEndpoint.set(row.endpoint_id, entry);
  }
  return new Map(
    [...byEndpoint].map(([id, entry]) => [id, webhookEndpointHealthOf(entry, entry.attempts, now)]),
  );
}
