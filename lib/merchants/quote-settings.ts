import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { type RequestOrigin, recordAuditEntry } from "../audit/record-audit-entry";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { CURRENCIES, ZCurrency } from "../money/fiat";
import { resolveAccepts, ZAccept } from "../payments/create-fiat-payment";
import { effectiveAcceptedCoins } from "./accepted-coins";

/** Quote window bounds (seconds): at least a minute, at most a day. */
export const MIN_QUOTE_TTL = 60;
export const MAX_QUOTE_TTL = 86_400;

/**
 * `PUT /api/v1/settings/quotes`: how long fiat-priced payments' quotes are locked, and how far below
 * the price (percent of it, at most 10, two decimals) a payment still counts as paid.
 */
export const ZSetQuoteSettings = z.strictObject({
  quote_ttl: z.number().int().min(MIN_QUOTE_TTL).max(MAX_QUOTE_TTL).optional(),
  underpayment_tolerance: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage decimal string such as "0.5"')
    .refine((value) => Number(value) <= 10, "must be at most 10 (percent)")
    .optional(),
  /** The coins fiat-priced payments accept when the request names none (and at most accept). */
  accepted_coins: z.array(ZAccept).min(1, "must name at least one coin").max(100).optional(),
  /** ISO 4217 currency the dashboard shows fiat values in. */
  display_currency: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(CURRENCIES, { error: `must be one of ${CURRENCIES.join(", ")}` }))
    .optional(),
});
export type TSetQuoteSettings = z.infer<typeof ZSetQuoteSettings>;
/** What a form hands to ZSetQuoteSettings (the currency not yet checked). */
export type TSetQuoteSettingsInput = z.input<typeof ZSetQuoteSettings>;

export const ZQuoteSettingsObject = z.object({
  object: z.literal("quote_settings"),
  /** Seconds a fiat-priced payment's quotes are locked (default 900). */
  quote_ttl: z.number().int(),
  /** Percent of the price a payment may fall short and still be paid (default "0.00"). */
  underpayment_tolerance: z.string(),
  /** Coins fiat-priced payments accept by default (token null = the native coin); default every configured coin. */
  accepted_coins: z.array(z.object({ chain: z.string(), token: z.string().nullable() })),
  /** ISO 4217 currency the dashboard shows fiat values in (default USD). */
  display_currency: ZCurrency,
});
export type TQuoteSettingsObject = z.infer<typeof ZQuoteSettingsObject>;

/** "0.5" → 50 basis points, exactly (at most two decimals, validated by the schema). */
function toBps(percent: string): number {
  const [whole = "0", fraction = ""] = percent.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

type QuoteSettingsRow = {
  quoteTtlSeconds: number;
  underpaymentToleranceBps: number;
  acceptedCoins: unknown;
  displayCurrency: string;
};

const serialize = (chains: readonly TChain[], row: QuoteSettingsRow): TQuoteSettingsObject => ({
  object: "quote_settings",
  quote_ttl: row.quoteTtlSeconds,
  underpayment_tolerance: `${Math.floor(row.underpaymentToleranceBps / 100)}.${String(row.underpaymentToleranceBps % 100).padStart(2, "0")}`,
  accepted_coins: effectiveAcceptedCoins(chains, row.acceptedCoins),
  display_currency: ZCurrency.catch("USD").parse(row.displayCurrency),
});

const SELECT = {
  quoteTtlSeconds: true,
  underpaymentToleranceBps: true,
  acceptedCoins: true,
  displayCurrency: true,
} as const;

/** Configured coins only (422 naming `accepted_coins.N` otherwise), stored with token null for native coins. */
function acceptedCoinsInput(chains: TChain[], coins: NonNullable<TSetQuoteSettings["accepted_coins"]>) {
  return resolveAccepts(chains, coins, "accepted_coins").map(({ chain, token }) => ({
    chain: chain.name,
    token: token.address === null ? null : token.symbol,
  }));
}

export async function getQuoteSettings(
  deps: { db: Db; chains: TChain[] } & AccessDeps,
  merchantId: string,
): Promise<TQuoteSettingsObject> {
  authorize(deps.actor, merchantId, "settings:read");
  const row = await deps.db.merchant.findUnique({ where: { id: merchantId }, select: SELECT });
  if (!row) throw new AppError("not_found", "Merchant not found");
  return serialize(deps.chains, row);
}

/**
 * Sets the quote window, underpayment tolerance, accepted coins and display currency (owner: the
 * tolerance decides what counts as paid). Applies to payments created afterwards; audited.
 */
export async function setQuoteSettings(
  deps: { db: Db; chains: TChain[]; origin?: RequestOrigin } & AccessDeps,
  merchantId: string,
  input: TSetQuoteSettings,
): Promise<TQuoteSettingsObject> {
  authorize(deps.actor, merchantId, "settings:write");
  const acceptedCoins = input.accepted_coins && acceptedCoinsInput(deps.chains, input.accepted_coins);
  return deps.db.$transaction(async (tx) => {
    const row = await tx.merchant.update({
      where: { id: merchantId },
      data: {
        ...(input.quote_ttl === undefined ? {} : { quoteTtlSeconds: input.quote_ttl }),
        ...(input.underpayment_tolerance === undefined
          ? {}
          : { underpaymentToleranceBps: toBps(input.underpayment_tolerance) }),
        ...(acceptedCoins ? { acceptedCoins } : {}),
        ...(input.display_currency ? { displayCurrency: input.display_currency } : {}),
      },
      select: SELECT,
    });
    const object = serialize(deps.chains, row);
    const { object: _kind, ...details } = object;
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "settings.account_changed",
      details,
      origin: deps.origin,
    });
    return object;
  });
}
