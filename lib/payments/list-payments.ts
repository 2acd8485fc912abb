import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { rawPool } from "../db/raw-pool";
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
import {
  PAYMENT_SELECT,
  type PaymentRow,
  serializePayment,
  type TPaymentObject,
  ZPaymentObject,
} from "./payment-object";
import { readPaymentRows } from "./payment-row-raw";

export const ZListPaymentsQuery = z.strictObject({
  ...ZListQuery,
  ...ZMoneyListFilters,
  status: ZPaymentObject.shape.status.optional(),
  order_id: z.string().max(200).optional(),
});
export type TListPaymentsQuery = z.infer<typeof ZListPaymentsQuery>;

/**
 * Newest first, cursor-paginated with `starting_after` (stable under concurrent inserts). One
 * statement on the raw pool (the API's GET); Prisma on a transaction client.
 */
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
  const pool = await rawPool(db);
  const rows = pool
    ? await readPaymentRows(pool, merchantId, {
        status: query.status,
        orderId: query.order_id,
        chain: query.chain,
        token: query.token,
        createdGte: query["created[gte]"],
        createdLte: query["created[lte]"],
        after: cursor,
        take: query.limit + 1,
      })
    : await listPaymentRowsPrisma(db, merchantId, query, cursor);
  return toPage(rows, query.limit, (row) => serializePayment(row, baseUrl));
}

/** The same page through Prisma (four queries: the payments and their three relations). */
export function listPaymentRowsPrisma(
  db: Db,
  merchantId: string,
  query: TListPaymentsQuery,
  cursor: { id: string; createdAt: Date } | null,
): Promise<PaymentRow[]> {
  return db.payment.findMany({
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
}
