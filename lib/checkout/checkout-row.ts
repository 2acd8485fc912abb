// The payment columns, merchant branding and (fiat-priced) earliest quote expiry the checkout
// projection needs, in one statement on the raw pool (Prisma reads each relation with a query of its
// own); Prisma on any other client. The quote expiry tells the checkout whether a re-quote is due
// without asking the database again on every poll.
import type { Db } from "../db/client";
import { rawPool } from "../db/raw-pool";
import { prepared } from "../db/raw-sql";

const CHECKOUT_SELECT = {
  id: true,
  status: true,
  exception: true,
  chain: true,
  chainId: true,
  tokenSymbol: true,
  tokenAddress: true,
  tokenDecimals: true,
  amount: true,
  amountReceived: true,
  depositAddress: true,
  requiredConfirmations: true,
  confirmations: true,
  expiresAt: true,
  description: true,
  redirectUrl: true,
  priceCurrency: true,
  orderId: true,
  confirmedAt: true,
  merchant: { select: { name: true, brandColor: true } },
  options: { select: { quoteExpiresAt: true } },
} as const;

/** NUMERIC(78,0) as its exact text: all the projection calls is toFixed(). */
const decimal = (text: string) => ({ toFixed: () => text });
/** A timestamp as json_build_object writes it (ISO 8601 with the offset). */
const dateOrNull = (text: string | null) => (text === null ? null : new Date(text));

export type CheckoutRow = Omit<
  NonNullable<Awaited<ReturnType<typeof prismaRow>>>,
  "amount" | "amountReceived" | "options"
> & {
  amount: { toFixed(): string };
  amountReceived: { toFixed(): string };
  /** A fiat-priced payment's earliest quote expiry (a re-quote is due once it passed); else null. */
  quotesExpireAt: Date | null;
};

/** The raw statement's json: CheckoutRow with the merchant flat and its timestamps as text. */
type RawCheckoutRow = Omit<
  CheckoutRow,
  "merchant" | "amount" | "amountReceived" | "expiresAt" | "confirmedAt" | "quotesExpireAt"
> & {
  merchantName: string;
  brandColor: string | null;
  amount: string;
  amountReceived: string;
  expiresAt: string;
  confirmedAt: string | null;
  quotesExpireAt: string | null;
};

const prismaRow = (db: Db, id: string) => db.payment.findUnique({ where: { id }, select: CHECKOUT_SELECT });

/** The earliest of the options' quote expiries, or null without options (a single-coin payment). */
function earliest(options: { quoteExpiresAt: Date }[]): Date | null {
  return options.reduce<Date | null>(
    (first, { quoteExpiresAt }) => (first === null || quoteExpiresAt < first ? quoteExpiresAt : first),
    null,
  );
}

export async function readCheckoutRow(db: Db, id: string): Promise<CheckoutRow | null> {
  const pool = await rawPool(db);
  if (!pool) {
    const row = await prismaRow(db, id);
    if (!row) return null;
    const { options, ...payment } = row;
    return { ...payment, quotesExpireAt: earliest(options) };
  }
  // One json value per row (as payment-row-raw.ts): node-postgres parses one column, not ~20.
  const { rows } = await pool.query<{ j: RawCheckoutRow }>(
    prepared(
      `SELECT json_build_object('id', p.id, 'status', p.status, 'exception', p.exception, 'chain', p.chain,
       'chainId', p.chain_id, 'tokenSymbol', p.token_symbol, 'tokenAddress', p.token_address,
       'tokenDecimals', p.token_decimals, 'amount', p.amount::text, 'amountReceived', p.amount_received::text,
       'depositAddress', p.deposit_address, 'requiredConfirmations', p.required_confirmations,
       'confirmations', p.confirmations, 'expiresAt', p.expires_at, 'description', p.description,
       'redirectUrl', p.redirect_url, 'priceCurrency', p.price_currency, 'orderId', p.order_id,
       'confirmedAt', p.confirmed_at, 'merchantName', m.name, 'brandColor', m.brand_color,
       'quotesExpireAt', (SELECT min(o.quote_expires_at) FROM payment_options o WHERE o.payment_id = p.id)) AS j
     FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.id = $1`,
      [id],
    ),
  );
  const row = rows[0]?.j;
  if (!row) return null;
  const {
    merchantName,
    brandColor,
    amount,
    amountReceived,
    expiresAt,
    confirmedAt,
    quotesExpireAt,
    ...payment
  } = row;
  return {
    ...payment,
    amount: decimal(amount),
    amountReceived: decimal(amountReceived),
    expiresAt: new Date(expiresAt),
    confirmedAt: dateOrNull(confirmedAt),
    quotesExpireAt: dateOrNull(quotesExpireAt),
    merchant: { name: merchantName, brandColor },
  };
}
