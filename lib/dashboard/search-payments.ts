import { z } from "zod";
import type { Db } from "../db/client";
import { afterCursor, type ListPage, NEWEST_FIRST, toPage } from "../http/pagination";
import {
  PAYMENT_SELECT,
  serializePayment,
  type TPaymentObject,
  ZPaymentObject,
} from "../payments/payment-object";

/** The dashboard's payments table query string; anything unexpected falls back to "no filter". */
export const ZDashboardPaymentsQuery = z.object({
  status: ZPaymentObject.shape.status.optional().catch(undefined),
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .catch(undefined)
    .transform((value) => value || undefined),
  after: z
    .string()
    .regex(/^pay_[0-9A-Za-z]{22}$/)
    .optional()
    .catch(undefined),
});
export type TDashboardPaymentsQuery = z.infer<typeof ZDashboardPaymentsQuery>;

export const DASHBOARD_PAGE_SIZE = 25;

/**
 * One merchant's payments, newest first, filtered by status and searched by exact payment id, deposit
 * address (any letter case) or order id; cursor-paginated (`after` = last id of the previous page).
 */
export async function searchPayments(
  db: Db,
  merchantId: string,
  query: Partial<TDashboardPaymentsQuery>,
  baseUrl: string,
  limit = DASHBOARD_PAGE_SIZE,
): Promise<ListPage<TPaymentObject>> {
  const cursor = query.after
    ? await db.payment.findFirst({
        where: { id: query.after, merchantId },
        select: { id: true, createdAt: true },
      })
    : null;
  const search = query.q
    ? {
        OR: [
          { id: query.q },
          { depositAddress: { equals: query.q, mode: "insensitive" as const } },
          { orderId: query.q },
        ],
      }
    : {};
  const rows = await db.payment.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      AND: [search, afterCursor(cursor)],
    },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
    select: PAYMENT_SELECT,
  });
  return toPage(rows, limit, (row) => serializePayment(row, baseUrl));
}
