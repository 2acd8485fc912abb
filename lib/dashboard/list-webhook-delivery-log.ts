import { z } from "zod";
import type { Db } from "../db/client";
import { EVENT_SELECT, serializeEvent } from "../events/event-object";
import {
  afterCursor,
  CURSOR_SELECT,
  findCursor,
  type ListPage,
  NEWEST_FIRST,
  toPage,
} from "../http/pagination";
import {
  serializeWebhookDelivery,
  type TWebhookDeliveryObject,
  WEBHOOK_ATTEMPT_SELECT,
  WEBHOOK_DELIVERY_SELECT,
} from "../webhooks/webhook-delivery-object";

export const ZWebhookDeliveryLogQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  starting_after: z
    .string()
    .regex(/^wd_[0-9A-Za-z]{22}$/)
    .optional(),
  /** Deliveries to one endpoint. */
  endpoint: z
    .string()
    .regex(/^we_[0-9A-Za-z]{22}$/)
    .optional(),
  /** Deliveries of the events about one object (a payment's page). */
  object: z.string().min(1).max(64).optional(),
  status: z.enum(["pending", "succeeded", "failed"]).optional(),
});
export type TWebhookDeliveryLogQuery = z.input<typeof ZWebhookDeliveryLogQuery>;

export type WebhookDeliveryLogEntry = TWebhookDeliveryObject & {
  endpoint_url: string;
  /** Every attempt, oldest first. */
  attempts: NonNullable<TWebhookDeliveryObject["attempts"]>;
  /**
   * What the merchant sees: a delivery whose attempts failed is "failed" even while the schedule
   * will try again (`retrying`); "pending" only before its first attempt.
   */
  outcome: "succeeded" | "failed" | "pending";
  /** Failed but another attempt is scheduled (status pending with failed attempts). */
  retrying: boolean;
  /** The HTTP status of the latest attempt (null: none, or no response). */
  last_status_code: number | null;
  /** The request body every attempt sent (the event object), pretty-printed. */
  payload: string;
  /** A manual retry makes sense: the delivery failed and its endpoint still exists and is enabled. */
  retryable: boolean;
};

/** The filter by outcome: "failed" includes deliveries still retrying after a failed attempt. */
const OUTCOME_WHERE = {
  failed: { OR: [{ status: "failed" as const }, { status: "pending" as const, attemptCount: { gt: 0 } }] },
  pending: { status: "pending" as const, attemptCount: 0 },
  succeeded: { status: "succeeded" as const },
};

/**
 * The dashboard's delivery log: the merchant's deliveries, newest first, each with its endpoint and
 * all its attempts (the API lists deliveries without attempts; the dashboard shows them inline).
 */
export async function listWebhookDeliveryLog(
  db: Db,
  merchantId: string,
  rawQuery: TWebhookDeliveryLogQuery = {},
): Promise<ListPage<WebhookDeliveryLogEntry>> {
  const query = ZWebhookDeliveryLogQuery.parse(rawQuery);
  const scope = {
    event: { merchantId, ...(query.object ? { objectId: query.object } : {}) },
    ...(query.endpoint ? { endpointId: query.endpoint } : {}),
  };
  // The cursor is looked up without the status filter: a delivery retried since still marks the place.
  const cursor = await findCursor(query.starting_after, "webhook delivery", (id) =>
    db.webhookDelivery.findFirst({ where: { ...scope, id }, select: CURSOR_SELECT }),
  );
  const rows = await db.webhookDelivery.findMany({
    where: { ...scope, ...(query.status ? OUTCOME_WHERE[query.status] : {}), ...afterCursor(cursor) },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: {
      ...WEBHOOK_DELIVERY_SELECT,
      event: { select: EVENT_SELECT },
      endpoint: { select: { url: true, disabled: true, deletedAt: true } },
      attempts: { orderBy: { attemptNumber: "asc" }, select: WEBHOOK_ATTEMPT_SELECT },
    },
  });
  return toPage(rows, query.limit, (row) => {
    const delivery = serializeWebhookDelivery(row, row.attempts);
    const outcome =
      delivery.status === "pending" && delivery.attempt_count === 0
        ? "pending"
        : delivery.status === "succeeded"
          ? "succeeded"
          : "failed";
    return {
      ...delivery,
      attempts: delivery.attempts ?? [],
      endpoint_url: row.endpoint.url,
      outcome,
      retrying: outcome === "failed" && delivery.status === "pending",
      last_status_code: row.attempts.at(-1)?.statusCode ?? null,
      payload: JSON.stringify(serializeEvent(row.event), null, 2),
      retryable: outcome === "failed" && !row.endpoint.disabled && !row.endpoint.deletedAt,
    };
  });
}
