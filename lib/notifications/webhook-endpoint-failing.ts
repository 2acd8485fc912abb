import type { Db } from "../db/client";
import { notifyWebhookEndpointFailing, webhookFailingDedupePrefix } from "./notify";
import { dayBucket } from "./record-notification";

/** How long an endpoint fails without a single success before its merchant is told. */
export const WEBHOOK_FAILING_AFTER_MS = 60 * 60_000;
/** How far back attempts are looked at (bounds the query on a busy endpoint). */
const LOOKBACK_MS = 2 * 24 * 60 * 60_000;

/**
 * After a failed attempt: when the delivery's endpoint has failed every attempt for an hour (the
 * first failure since its last success is an hour old), its merchant's owners and admins are told,
 * once per endpoint and day. Errors are logged by the caller's logger, never thrown into delivery.
 */
export async function noteFailedWebhookAttempt(db: Db, deliveryId: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - LOOKBACK_MS);
  const [row] = await db.$queryRaw<
    { endpoint_id: string; merchant_id: string; url: string; failing_since: Date | null }[]
  >`
    WITH endpoint AS (
      SELECT e.id, e.merchant_id, e.url FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.id = ${deliveryId} AND e.deleted_at IS NULL
        -- Told today already: nothing to look at (a dead endpoint fails often).
        AND NOT EXISTS (SELECT 1 FROM notifications
          WHERE dedupe_key = ${webhookFailingDedupePrefix()} || e.id || ':' || ${dayBucket(now)})
    ), attempts AS (
      SELECT a.created_at, COALESCE(a.status_code BETWEEN 200 AND 299, false) AS ok
      FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
      WHERE d.endpoint_id = (SELECT id FROM endpoint) AND a.created_at > ${since}
    )
    SELECT endpoint.id AS endpoint_id, endpoint.merchant_id, endpoint.url,
      (SELECT min(created_at) FROM attempts WHERE NOT ok AND created_at >
        COALESCE((SELECT max(created_at) FROM attempts WHERE ok), '-infinity'::timestamptz)) AS failing_since
    FROM endpoint`;
  if (!row?.failing_since || now.getTime() - row.failing_since.getTime() < WEBHOOK_FAILING_AFTER_MS)
    return false;
  await notifyWebhookEndpointFailing(
    db,
    { id: row.endpoint_id, merchantId: row.merchant_id, url: row.url },
    row.failing_since,
    now,
  );
  return true;
}
