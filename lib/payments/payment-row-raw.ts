// The serializer's input (PaymentRow, as Prisma's PAYMENT_SELECT returns it) read with ONE statement
// on the raw pool: Prisma reads a payment with its transfers, options and unattributed transfers in
// four round trips (no relation joins); this reads all of it in one, and hands serializePayment
// exactly the same shape, so the public object comes from the one serializer either way
// (payment-row-raw.test.ts compares both paths on every kind of payment). Each payment comes back as
// ONE json value (row_to_json): node-postgres then parses one column with JSON.parse instead of
// describing, allocating and type-parsing ~30 columns per row on every call (bench:api's GET
// profile: ~40 µs per request in its per-query field setup alone).
import type { Pool } from "pg";
import { exactDecimal, prepared, timestampOrNull } from "../db/raw-sql";
import type { Queryable } from "../db/read-pipeline";
import type { PaymentRow } from "./payment-object";

const decimalOrNull = (text: string | null) => (text === null ? null : exactDecimal(text));

// Ordering as in PAYMENT_SELECT: transfers by block and log index, options by position.
const SELECT = `
SELECT p.id, p.status, p.exception, p.chain, p.chain_id, p.token_symbol, p.token_address,
  p.token_decimals, p.amount::text AS amount, p.amount_received::text AS amount_received,
  p.deposit_address, p.required_confirmations, p.confirmations, p.expires_at, p.created_at,
  p.detected_at, p.confirmed_at, p.settled_at, p.order_id, p.description, p.metadata, p.redirect_url,
  p.price_amount::text AS price_amount, p.price_currency, p.value_received::text AS value_received,
  p.option_paid,
  (SELECT coalesce(json_agg(json_build_object('txHash', t.tx_hash, 'logIndex', t.log_index,
      'fromAddress', t.from_address, 'amount', t.amount::text, 'blockNumber', t.block_number::text,
      'confirmations', t.confirmations, 'status', t.status, 'chain', t.chain,
      'tokenAddress', t.token_address, 'fiatValue', t.fiat_value::text)
    ORDER BY t.block_number, t.log_index), '[]') FROM transfers t WHERE t.payment_id = p.id) AS transfers,
  (SELECT coalesce(json_agg(json_build_object('chain', o.chain, 'chainId', o.chain_id,
      'tokenSymbol', o.token_symbol, 'tokenAddress', o.token_address, 'tokenDecimals', o.token_decimals,
      'amount', o.amount::text, 'rate', o.rate, 'quoteExpiresAt', o.quote_expires_at)
    ORDER BY o.position), '[]') FROM payment_options o WHERE o.payment_id = p.id) AS options,
  (SELECT coalesce(json_agg(json_build_object('chain', u.chain, 'txHash', u.tx_hash,
      'logIndex', u.log_index, 'tokenAddress', u.token_address, 'fromAddress', u.from_address,
      'amount', u.amount::text, 'blockNumber', u.block_number::text, 'status', u.status,
      'resolution', u.resolution, 'refundAddress', u.refund_address,
      'sweep', (SELECT json_build_object('id', s.id, 'status', s.status, 'txHash', s.tx_hash)
        FROM sweeps s WHERE s.transfer_id = u.id))
    ORDER BY u.block_number, u.log_index), '[]') FROM transfers u WHERE u.unattributed_payment_id = p.id)
    AS unattributed
FROM payments p`;
/** `inner`'s rows (SELECT's columns), each as one json value, in `inner`'s order. */
const asJson = (inner: string) => `SELECT row_to_json(r) AS j FROM (${inner}) r`;
const BY_ID = asJson(`${SELECT} WHERE p.id = $1 AND p.merchant_id = $2`);

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends bigint ? string : T[K] };
/** A timestamp as row_to_json writes it (ISO 8601 with the offset), or null. */
type Timestamp = string;
type Raw = {
  id: string;
  status: PaymentRow["status"];
  exception: PaymentRow["exception"];
  chain: string;
  chain_id: number;
  token_symbol: string;
  token_address: string | null;
  token_decimals: number;
  amount: string;
  amount_received: string;
  deposit_address: string;
  required_confirmations: number;
  confirmations: number;
  expires_at: Timestamp;
  created_at: Timestamp;
  detected_at: Timestamp | null;
  confirmed_at: Timestamp | null;
  settled_at: Timestamp | null;
  order_id: string | null;
  description: string | null;
  metadata: unknown;
  redirect_url: string | null;
  price_amount: string | null;
  price_currency: string | null;
  value_received: string | null;
  option_paid: boolean;
  transfers: (Omit<Json<PaymentRow["transfers"][number]>, "amount" | "fiatValue"> & {
    amount: string;
    fiatValue: string | null;
  })[];
  options: (Omit<Json<NonNullable<PaymentRow["options"]>[number]>, "amount"> & { amount: string })[];
  unattributed: (Omit<Json<NonNullable<PaymentRow["unattributedTransfers"]>[number]>, "amount"> & {
    amount: string;
  })[];
};

function toPaymentRow(raw: Raw): PaymentRow {
  return {
    id: raw.id,
    status: raw.status,
    exception: raw.exception,
    chain: raw.chain,
    chainId: raw.chain_id,
    tokenSymbol: raw.token_symbol,
    tokenAddress: raw.token_address,
    tokenDecimals: raw.token_decimals,
    amount: exactDecimal(raw.amount),
    amountReceived: exactDecimal(raw.amount_received),
    depositAddress: raw.deposit_address,
    requiredConfirmations: raw.required_confirmations,
    confirmations: raw.confirmations,
    expiresAt: new Date(raw.expires_at),
    createdAt: new Date(raw.created_at),
    detectedAt: timestampOrNull(raw.detected_at),
    confirmedAt: timestampOrNull(raw.confirmed_at),
    settledAt: timestampOrNull(raw.settled_at),
    orderId: raw.order_id,
    description: raw.description,
    metadata: raw.metadata,
    redirectUrl: raw.redirect_url,
    priceAmount: decimalOrNull(raw.price_amount),
    priceCurrency: raw.price_currency,
    valueReceived: decimalOrNull(raw.value_received),
    optionPaid: raw.option_paid,
    transfers: raw.transfers.map((transfer) => ({
      ...transfer,
      amount: exactDecimal(transfer.amount),
      blockNumber: BigInt(transfer.blockNumber),
      fiatValue: decimalOrNull(transfer.fiatValue),
    })),
    options: raw.options.map((option) => ({
      ...option,
      amount: exactDecimal(option.amount),
      quoteExpiresAt: new Date(option.quoteExpiresAt),
    })),
    unattributedTransfers: raw.unattributed.map((transfer) => ({
      ...transfer,
      amount: exactDecimal(transfer.amount),
      blockNumber: BigInt(transfer.blockNumber),
    })),
  };
}

/** This merchant's payment `id` as the serializer's input, or undefined (another merchant's id too). */
export async function readPaymentRow(
  reader: Queryable,
  merchantId: string,
  id: string,
): Promise<PaymentRow | undefined> {
  const { rows } = await reader.query<{ j: Raw }>(prepared(BY_ID, [id, merchantId]));
  return rows[0] ? toPaymentRow(rows[0].j) : undefined;
}

/** The filters of a payment list (ZListPaymentsQuery), its cursor row and page size (+1 to see more). */
export type PaymentRowsQuery = {
  status?: string;
  orderId?: string;
  chain?: string;
  token?: string;
  createdGte?: Date;
  createdLte?: Date;
  after: { id: string; createdAt: Date } | null;
  take: number;
};

/**
 * A page of this merchant's payments, newest first, as the serializer's input: ONE statement (Prisma
 * takes four, one per relation), with the list's filters and cursor exactly as listPayments' Prisma
 * path applies them (token any case; strictly after the cursor in created_at desc, id desc order).
 */
export async function readPaymentRows(
  pool: Pool,
  merchantId: string,
  query: PaymentRowsQuery,
): Promise<PaymentRow[]> {
  const values: unknown[] = [merchantId];
  const where = ["p.merchant_id = $1"];
  const add = (sql: (n: number) => string, ...params: unknown[]) => {
    values.push(...params);
    where.push(sql(values.length - params.length + 1));
  };
  if (query.status) add((n) => `p.status::text = $${n}`, query.status);
  if (query.orderId) add((n) => `p.order_id = $${n}`, query.orderId);
  if (query.chain) add((n) => `p.chain = $${n}`, query.chain);
  if (query.token) add((n) => `lower(p.token_symbol) = lower($${n})`, query.token);
  if (query.createdGte) add((n) => `p.created_at >= $${n}`, query.createdGte);
  if (query.createdLte) add((n) => `p.created_at <= $${n}`, query.createdLte);
  if (query.after)
    add((n) => `(p.created_at, p.id) < ($${n}, $${n + 1})`, query.after.createdAt, query.after.id);
  values.push(query.take);
  // The page is ordered again outside: a subquery's order is not promised to survive.
  const page = `${SELECT} WHERE ${where.join(" AND ")} ORDER BY p.created_at DESC, p.id DESC LIMIT $${values.length}`;
  const { rows } = await pool.query<{ j: Raw }>(
    prepared(`${asJson(page)} ORDER BY r.created_at DESC, r.id DESC`, values),
  );
  return rows.map((row) => toPaymentRow(row.j));
}
