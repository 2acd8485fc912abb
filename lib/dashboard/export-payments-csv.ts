import type { Db } from "../db/client";
import type { TPaymentObject } from "../payments/payment-object";
import { searchPayments, type TDashboardPaymentsQuery } from "./search-payments";

const COLUMNS: { header: string; value: (payment: TPaymentObject) => string | null; text?: boolean }[] = [
  { header: "id", value: (p) => p.id },
  { header: "created_at", value: (p) => p.created_at },
  { header: "status", value: (p) => p.status },
  { header: "exception", value: (p) => p.exception },
  { header: "chain", value: (p) => p.chain },
  { header: "token", value: (p) => p.token?.symbol ?? null },
  { header: "amount", value: (p) => p.amount },
  { header: "amount_received", value: (p) => p.amount_received },
  { header: "address", value: (p) => p.address },
  { header: "order_id", value: (p) => p.order_id, text: true },
  { header: "description", value: (p) => p.description, text: true },
  { header: "expires_at", value: (p) => p.expires_at },
  { header: "confirmed_at", value: (p) => p.confirmed_at },
  { header: "settled_at", value: (p) => p.settled_at },
  // Payments priced in fiat: the price and the value received in its currency (empty otherwise).
  { header: "price_amount", value: (p) => p.price?.amount ?? null },
  { header: "price_currency", value: (p) => p.price?.currency ?? null },
  { header: "value_received", value: (p) => p.value_received ?? null },
];

/**
 * RFC 4180 field. Free text written by integrators that starts like a formula is prefixed with a
 * quote so spreadsheets show it instead of evaluating it (CSV injection); amounts are exact decimal
 * strings and never touched.
 */
export function csvField(value: string | null, text = false): string {
  if (value === null) return "";
  const safe = text && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvRow(payment: TPaymentObject): string {
  return `${COLUMNS.map((column) => csvField(column.value(payment), column.text)).join(",")}\r\n`;
}

export const CSV_HEADER = `${COLUMNS.map((column) => column.header).join(",")}\r\n`;

/** The merchant's payments matching the dashboard filters (all pages), as CSV lines, newest first. */
export async function* exportPaymentsCsv(
  db: Db,
  merchantId: string,
  query: Partial<Omit<TDashboardPaymentsQuery, "after">>,
  baseUrl: string,
  pageSize = 500,
): AsyncGenerator<string> {
  yield CSV_HEADER;
  let after: string | undefined;
  for (;;) {
    const page = await searchPayments(db, merchantId, { ...query, after }, baseUrl, pageSize);
    yield page.data.map(csvRow).join("");
    if (!page.has_more || !page.next_cursor) return;
    after = page.next_cursor;
  }
}
