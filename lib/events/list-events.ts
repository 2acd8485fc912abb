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
import { EVENT_SELECT, serializeEvent, TEST_EVENT_TYPE, type TEventObject, ZEventType } from "./event-object";

export const ZListEventsQuery = z.strictObject({
  ...ZListQuery,
  type: ZEventType.optional(),
  object_id: z.string().max(64).optional(),
  /** `false`: events with a webhook delivery not (yet) succeeded; `true`: every delivery succeeded. */
  delivery_success: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
});
export type TListEventsQuery = z.infer<typeof ZListEventsQuery>;

export async function listEvents(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  query: TListEventsQuery,
): Promise<ListPage<TEventObject>> {
  authorize(actor, merchantId, "events:read");
  const cursor = await findCursor(query.starting_after, "event", (id) =>
    db.event.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.event.findMany({
    where: {
      merchantId,
      type: query.type ?? { not: TEST_EVENT_TYPE },
      ...(query.object_id ? { objectId: query.object_id } : {}),
      ...(query.delivery_success === false
        ? { deliveries: { some: { status: { not: "succeeded" as const } } } }
        : {}),
      ...(query.delivery_success === true
        ? { deliveries: { some: {}, every: { status: "succeeded" as const } } }
        : {}),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: EVENT_SELECT,
  });
  return toPage(rows, query.limit, serializeEvent);
}

export async function getEventOrThrow(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  id: string,
): Promise<TEventObject> {
  authorize(actor, merchantId, "events:read");
  const row = await db.event.findFirst({
    where: { id, merchantId, type: { not: TEST_EVENT_TYPE } },
    select: EVENT_SELECT,
  });
  if (!row) throw new AppError("not_found", `No such event: ${id}`);
  return serializeEvent(row);
}
