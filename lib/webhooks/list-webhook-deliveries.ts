import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import {
  afterCursor,
  CURSOR_SELECT,
  findCursor,
  type ListPage,
  NEWEST_FIRST,
  toPage,
  ZListQuery,
} from "../http/pagination";
import {
  serializeWebhookDelivery,
  type TWebhookDeliveryObject,
  WEBHOOK_ATTEMPT_SELECT,
  WEBHOOK_DELIVERY_SELECT,
  ZWebhookDeliveryObject,
} from "./webhook-delivery-object";

export const ZListWebhookDeliveriesQuery = z.strictObject({
  ...ZListQuery,
  event: z.string().max(64).optional(),
  endpoint: z.string().max(64).optional(),
  status: ZWebhookDeliveryObject.shape.status.optional(),
});
export type TListWebhookDeliveriesQuery = z.infer<typeof ZListWebhookDeliveriesQuery>;

/** The delivery log of the merchant's endpoints, newest first. */
export async function listWebhookDeliveries(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  query: TListWebhookDeliveriesQuery,
): Promise<ListPage<TWebhookDeliveryObject>> {
  authorize(actor, merchantId, "webhooks:read");
  const cursor = await findCursor(query.starting_after, "webhook delivery", (id) =>
    db.webhookDelivery.findFirst({ where: { id, event: { merchantId } }, select: CURSOR_SELECT }),
  );
  const rows = await db.webhookDelivery.findMany({
    where: {
      event: { merchantId },
      ...(query.event ? { eventId: query.event } : {}),
      ...(query.endpoint ? { endpointId: query.endpoint } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: WEBHOOK_DELIVERY_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializeWebhookDelivery(row));
}

/** One delivery of the merchant with all its attempts. */
export async function getWebhookDeliveryOrThrow(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookDeliveryObject> {
  authorize(actor, merchantId, "webhooks:read");
  return findWebhookDeliveryOrThrow(db, merchantId, id);
}

/** The delivery with its attempts, for a caller that has authorized (a retry answers with it). */
export async function findWebhookDeliveryOrThrow(
  db: Db,
  merchantId: string,
  id: string,
): Promise<TWebhookDeliveryObject> {
  const row = await db.webhookDelivery.findFirst({
    where: { id, event: { merchantId } },
    select: {
      ...WEBHOOK_DELIVERY_SELECT,
      attempts: {
        orderBy: { attemptNumber: "asc" },
        select: WEBHOOK_ATTEMPT_SELECT,
      },
    },
  });
  if (!row) throw new AppError("not_found", `No such webhook delivery: ${id}`);
  return serializeWebhookDelivery(row, row.attempts);
}
