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

export type CheckoutRow = Omit<
  NonNullable<Awaited<ReturnType<typeof prismaRow>>>,
  "amount" | "amountReceived" | "options"
> & {
  amount: { toFixed(): string };
  amountReceived: { toFixed(): string };
  /** A fiat-priced payment's earliest quote expiry (a re-quote is due once it passed); else null. */
  quotesExpireAt: Date | null;
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
  const { rows } = await pool.query(
    prepared(
      `SELECT p.id, p.status, p.exception, p.chain, p.chain_id AS "chainId", p.token_symbol AS "tokenSymbol",
       p.token_address AS "tokenAddress", p.token_decimals AS "tokenDecimals", p.amount::text AS amount,
       p.amount_received::text AS "amountReceived", p.deposit_address AS "depositAddress",
       p.required_confirmations AS "requiredConfirmations", p.confirmations, p.expires_at AS "expiresAt",
       p.description, p.redirect_url AS "redirectUrl", p.price_currency AS "priceCurrency",
       p.order_id AS "orderId", p.confirmed_at AS "confirmedAt", m.name AS "merchantName",
       m.brand_color AS "brandColor",
       (SELECT min(o.quote_expires_at) FROM payment_options o WHERE o.payment_id = p.id) AS "quotesExpireAt"
     FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.id = $1`,
      [id],
    ),
  );
  const row = rows[0];
  if (!row) return null;
  const { merchantName, brandColor, amount, amountReceived, ...payment } = row;
  return {
    ...payment,
    amount: decimal(amount),
    amountReceived: decimal(amountReceived),
    merchant: { name: merchantName, brandColor },
  };
}
