// The payment columns, merchant branding and (fiat-priced) earliest quote expiry the checkout
// projection needs, in one statement on the pipelined reader (lib/db/read-pipeline.ts; Prisma reads
// each relation with a query of its own); Prisma on any other client. The quote expiry tells the
// checkout whether a re-quote is due without asking the database again on every poll. Payers poll
// it every ~2 s, so their poll keeps rows in process (lib/db/notified-cache.ts), dropped when
// PostgreSQL notifies a change of the payment, its quote options or the merchant's name or colour
// (migration 20261212090000_checkout_cache_invalidation), on every instance at once.
import type { Db } from "../db/client";
import { CHECKOUT_CHANNELS, cacheBackingOf } from "../db/invalidation";
import { NotifiedCache } from "../db/notified-cache";
import { perClient, perClientIfSet } from "../db/per-client";
import { exactDecimal, prepared, timestampOrNull } from "../db/raw-sql";
import { readPipeline } from "../db/read-pipeline";

const CHECKOUT_SELECT = {
  id: true,
  merchantId: true,
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

/**
 * The checkout row of payment `id`; with `cached`, from the process's cache on the raw path (a
 * change shows once its notification is in, milliseconds after the commit: for the payers' poll).
 */
export async function readCheckoutRow(
  db: Db,
  id: string,
  options: { cached?: boolean } = {},
): Promise<CheckoutRow | null> {
  const cache = options.cached ? await checkoutRowCacheOf(db) : undefined;
  return cache ? cache.get(id, () => loadCheckoutRow(db, id)) : loadCheckoutRow(db, id);
}

async function checkoutRowCacheOf(db: Db): Promise<NotifiedCache<CheckoutRow> | undefined> {
  const cached = perClientIfSet<NotifiedCache<CheckoutRow>>(db, "checkoutRowCache");
  if (cached) return cached;
  const backing = await cacheBackingOf(db, CHECKOUT_CHANNELS);
  return (
    backing &&
    perClient(
      db,
      "checkoutRowCache",
      () =>
        new NotifiedCache<CheckoutRow>(backing.listener, {
          keyedBy: ["ctrip_payments"],
          concerns: (channel, id, row) => channel === "ctrip_merchants" && row.merchantId === id,
        }),
    )
  );
}

async function loadCheckoutRow(db: Db, id: string): Promise<CheckoutRow | null> {
  const reader = await readPipeline(db);
  if (!reader) {
    const row = await prismaRow(db, id);
    if (!row) return null;
    const { options, ...payment } = row;
    return { ...payment, quotesExpireAt: earliest(options) };
  }
  // One json value per row (as payment-row-raw.ts): node-postgres parses one column, not ~20.
  const { rows } = await reader.query<{ j: RawCheckoutRow }>(
    prepared(
      `SELECT json_build_object('id', p.id, 'merchantId', p.merchant_id, 'status', p.status, 'exception', p.exception, 'chain', p.chain,
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
    amount: exactDecimal(amount),
    amountReceived: exactDecimal(amountReceived),
    expiresAt: new Date(expiresAt),
    confirmedAt: timestampOrNull(confirmedAt),
    quotesExpireAt: timestampOrNull(quotesExpireAt),
    merchant: { name: merchantName, brandColor },
  };
}
