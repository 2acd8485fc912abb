import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import {
  afterCursor,
  CURSOR_SELECT,
  findCursor,
  type ListPage,
  moneyListWhere,
  NEWEST_FIRST,
  toPage,
  ZListQuery,
  ZMoneyListFilters,
} from "../http/pagination";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject, ZPaymentObject } from "./payment-object";

export const ZListPaymentsQuery = z.strictObject({
  ...ZListQuery,
  ...ZMoneyListFilters,
  status: ZPaymentObject.shape.status.optional(),
  order_id: z.string().max(200).optional(),
});
export type TListPaymentsQuery = z.infer<typeof ZListPaymentsQuery>;

/** Newest first, cursor-paginated with `starting_after` (stable under concurrent inserts). */
export async function listPayments(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  query: TListPaymentsQuery,
  baseUrl: string,
): Promise<ListPage<TPaymentObject>> {
  authorize(actor, merchantId, "payments:read");
  const cursor = await findCursor(query.starting_after, "payment", (id) =>
    db.payment.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.payment.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.order_id ? { orderId: query.order_id } : {}),
      ...moneyListWhere(query),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: PAYMENT_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializePayment(row, baseUrl));
}
