import { z } from "zod";
import type { Db } from "../db/client";
import { afterCursor, type ListPage, NEWEST_FIRST, toPage } from "../http/pagination";
import {
  PAYMENT_SELECT,
  serializePayment,
  type TPaymentObject,
  ZPaymentObject,
} from "../payments/payment-object";

const ZDay = z.iso.date();

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
  chain: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
    .optional()
    .catch(undefined),
  token: z
    .string()
    .regex(/^[A-Za-z0-9.]{1,16}$/)
    .optional()
    .catch(undefined),
  /** Created on or after this UTC day (YYYY-MM-DD). */
  from: ZDay.optional().catch(undefined),
  /** Created on or before this UTC day (YYYY-MM-DD), inclusive. */
  to: ZDay.optional().catch(undefined),
  after: z
    .string()
    .regex(/^pay_[0-9A-Za-z]{22}$/)
    .optional()
    .catch(undefined),
});

const DAY_MS = 24 * 60 * 60 * 1000;
export type TDashboardPaymentsQuery = z.infer<typeof ZDashboardPaymentsQuery>;

export const DASHBOARD_PAGE_SIZE = 25;

/** The date fields' error, when "from" is after "to" (the search is not run: it could match nothing). */
export function dateRangeError(query: { from?: string; to?: string }): string | null {
  return query.from && query.to && query.from > query.to
    ? "The start date is after the end date: choose a start on or before the end."
    : null;
}

/**
 * One merchant's payments, newest first, filtered by status, chain, token and creation day (UTC),
 * and searched by the start of the payment id, deposit address, order id or a transfer's
 * transaction hash, in any letter case; cursor-paginated (`after` = last id of the previous page).
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
  // Prefix and case-insensitive: the start of an id, address, order id or transaction hash finds it.
  // The scan stays within the merchant's payments (the merchant_id, created_at index) and stops at
  // the page size, so no trigram index is needed at dashboard scale.
  const prefix = query.q ? { startsWith: query.q, mode: "insensitive" as const } : undefined;
  const search = prefix
    ? {
        OR: [
          { id: prefix },
          { depositAddress: prefix },
          { orderId: prefix },
          { transfers: { some: { txHash: prefix } } },
        ],
      }
    : {};
  const created = {
    ...(query.from ? { gte: new Date(`${query.from}T00:00:00Z`) } : {}),
    ...(query.to ? { lt: new Date(Date.parse(`${query.to}T00:00:00Z`) + DAY_MS) } : {}),
  };
  const rows = await db.payment.findMany({
    where: {
      merchantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.chain ? { chain: query.chain } : {}),
      ...(query.token ? { tokenSymbol: { equals: query.token, mode: "insensitive" as const } } : {}),
      ...(query.from || query.to ? { createdAt: created } : {}),
      AND: [search, afterCursor(cursor)],
    },
    orderBy: NEWEST_FIRST,
    take: limit + 1,
    select: PAYMENT_SELECT,
  });
  return toPage(rows, limit, (row) => serializePayment(row, baseUrl));
}
