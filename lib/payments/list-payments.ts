import { z } from "zod";
import type { Db } from "../db/client";
import {
  afterCursor,
  CURSOR_SELECT,
  createdBetween,
  findCursor,
  type ListPage,
  NEWEST_FIRST,
  toPage,
  ZListQuery,
  ZTimestampFilter,
} from "../http/pagination";
import { PAYMENT_SELECT, serializePayment, type TPaymentObject, ZPaymentObject } from "./payment-object";

export const ZListPaymentsQuery = z.strictObject({
  ...ZListQuery,
  status: ZPaymentObject.shape.status.optional(),
  chain: z.string().max(32).optional(),
  token: z.string().max(16).optional(),
  order_id: z.string().max(200).optional(),
  "created[gte]": ZTimestampFilter.optional(),
  "created[lte]": ZTimestampFilter.optional(),
});
export type TListPaymentsQuery = z.infer<typeof ZListPaymentsQuery>;

/** Newest first, cursor-paginated with `starting_after` (stable under concurrent inserts). */
export async function listPayments(
  db: Db,
  merchantId: string,
  query: TListPaymentsQuery,
  baseUrl: string,
): Promise<ListPage<TPaymentObject>> {
  const cursor = await findCursor(query.starting_after, "payment", (id) =>
    db.payment.findFirst({ where: { id, merchantId }, select: CURSOR_SELECT }),
  );
  const rows = await db.payment.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.chain ? { chain: query.chain } : {}),
      ...(query.token ? { tokenSymbol: { equals: query.token, mode: "insensitive" as const } } : {}),
      ...(query.order_id ? { orderId: query.order_id } : {}),
      ...createdBetween(query),
      ...afterCursor(cursor),
    },
    orderBy: NEWEST_FIRST,
    take: query.limit + 1,
    select: PAYMENT_SELECT,
  });
  return toPage(rows, query.limit, (row) => serializePayment(row, baseUrl));
}
