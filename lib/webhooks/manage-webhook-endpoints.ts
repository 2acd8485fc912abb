// Read, update and delete of webhook endpoints: small, merchant-scoped queries kept together.
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
import { assertBelowMerchantCap } from "../merchants/merchant-caps";
import { notifyWebhookEndpointDisabled } from "../notifications/notify";
import type { WebhookDeps } from "./webhook-deps";
import {
  serializeWebhookEndpoint,
  type TUpdateWebhookEndpoint,
  type TWebhookEndpointObject,
  WEBHOOK_ENDPOINT_SELECT,
} from "./webhook-endpoint-object";
import { assertWebhookTargetAllowed } from "./webhook-target";

export const ZListWebhookEndpointsQuery = z.strictObject({ ...ZListQuery });
export type TListWebhookEndpointsQuery = z.infer<typeof ZListWebhookEndpointsQuery>;

const live = (merchantId: string, id: string) => ({ id, merchantId, deletedAt: null });

export async function getWebhookEndpointOrThrow(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TWebhookEndpointObject> {
  authorize(actor, merchantId, "webhooks:read");
  return findWebhookEndpointOrThrow(db, merchantId, id);
}

/** The endpoint as it is now, for a caller that has authorized (a write answers with its object). */
async function findWebhookEndpointOrThrow(db: Db, merchantId: string, id: string) {
  const row = await db.webhookEndpoint.findFirst({
    where: live(merchantId, id),
    select: WEBHOOK_ENDPOINT_SELECT,
  });
  if (!row) throw new AppError("not_found", `No such webhook endpoint: ${id}`);
  return serializeWebhookEndpoint(row);
}

export async function listWebhookEndpoints(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  query: TListWebhookEndpointsQuery,
): Promise<ListPage<TWebhookEndpointObject>> {
  authorize(actor, merchantId, "webhooks:read");
  const cursor = await findCursor(query.starting_after, "webhook endpoint", (id) =>
    db.webhookEndpoint.findFirst({ where: live(merchantId, id), select: CURSOR_SELECT }),
  );
  const rows = await db.webhookEndpoint.findMany({
    where: { merchantId, deletedAt: null, ...afterCursor(cursor) },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: WEBHOOK_ENDPOINT_SELECT,
  });
  return toPage(rows, query.limit, serializeWebhookEndpoint);
}

export async function updateWebhookEndpoint(
  deps: Pick<WebhookDeps, "db" | "allowLoopbackTargets" | "resolveHost"> & AccessDeps,
  merchantId: string,
  id: string,
  input: TUpdateWebhookEndpoint,
): Promise<TWebhookEndpointObject> {
  authorize(deps.actor, merchantId, "webhooks:write");
  if (input.url)
    await assertWebhookTargetAllowed(input.url, {
      allowLoopbackTargets: deps.allowLoopbackTargets,
      resolveHost: deps.resolveHost,
    });
  const { count } = await deps.db.$transaction(async (tx) => {
    // Enabling a disabled endpoint adds an active one: the merchant's cap applies.
    if (
      input.status === "enabled" &&
      (await tx.webhookEndpoint.count({ where: { ...live(merchantId, id), disabled: true } }))
    )
      await assertBelowMerchantCap(tx, merchantId, "webhook_endpoints");
    // Disabling an enabled endpoint stops its events: the owners and admins are told.
    const disabling =
      input.status === "disabled"
        ? await tx.webhookEndpoint.findFirst({
            where: { ...live(merchantId, id), disabled: false },
            select: { id: true, merchantId: true, url: true },
          })
        : null;
    if (disabling) await notifyWebhookEndpointDisabled(tx, disabling, deps.actor);
    return tx.webhookEndpoint.updateMany({
      where: live(merchantId, id),
      data: {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.enabled_events !== undefined ? { enabledEvents: input.enabled_events } : {}),
        ...(input.status !== undefined ? { disabled: input.status === "disabled" } : {}),
      },
    });
  });
  if (count === 0) throw new AppError("not_found", `No such webhook endpoint: ${id}`);
  return findWebhookEndpointOrThrow(deps.db, merchantId, id);
}

/**
 * Soft-deletes the endpoint (its delivery log stays readable) and stops its pending deliveries.
 */
export async function deleteWebhookEndpoint(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
): Promise<{ id: string; object: "webhook_endpoint"; deleted: true }> {
  authorize(actor, merchantId, "webhooks:write");
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({
      where: live(merchantId, id),
      data: { deletedAt: new Date(), disabled: true },
    });
    if (count === 0) throw new AppError("not_found", `No such webhook endpoint: ${id}`);
    await tx.webhookDelivery.updateMany({
      where: { endpointId: id, status: "pending" },
      data: { status: "failed", nextAttemptAt: null },
    });
  });
  return { id, object: "webhook_endpoint", deleted: true };
}
