// GET /api/v1/rates: the current rate of every chain/token the merchant can be paid in.
import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import { AppError } from "../errors";
import { parseCurrency, ZCurrency } from "../money/fiat";
import { quoteRates, type RateDeps } from "./get-rate";

export const ZListRatesQuery = z.strictObject({
  /** ISO 4217 code (default USD); an unsupported one is a 400. */
  currency: z.string().max(16).optional(),
  chain: z.string().max(32).optional(),
});
export type TListRatesQuery = z.infer<typeof ZListRatesQuery>;

export const ZRateObject = z.strictObject({
  object: z.literal("rate"),
  chain: z.string(),
  /** Token symbol, or the chain's native coin symbol. */
  token: z.string(),
  token_address: z.string().nullable(),
  decimals: z.number().int(),
  currency: ZCurrency,
  /** Currency units per whole token, an exact decimal string; null when no rate can be had now. */
  rate: z.string().nullable(),
  /** "peg", "fixed", a source name, "median:a,b" or "peg:USD×…"; null without a rate. */
  source: z.string().nullable(),
  as_of: z.iso.datetime().nullable(),
  age_seconds: z.number().int().nullable(),
  /** Why there is no rate (no source answered and the last stored rate is stale). */
  error: z.string().nullable(),
});
export type TRateObject = z.infer<typeof ZRateObject>;

export const ZRateList = z.strictObject({
  object: z.literal("list"),
  currency: ZCurrency,
  data: z.array(ZRateObject),
  has_more: z.literal(false),
  next_cursor: z.null(),
});
export type TRateList = z.infer<typeof ZRateList>;

/** Every native coin and token of the chains (the coins a merchant can be paid in). */
export function payableAssets(chains: readonly TChain[]): { chain: string; token: string | null }[] {
  return chains.flatMap((chain) => [
    { chain: chain.name, token: null },
    ...chain.tokens.map((token) => ({ chain: chain.name, token: token.symbol })),
  ]);
}

/**
 * The rates of the merchant's payable assets in `currency`. An asset whose rate cannot be had is
 * listed with `rate: null` and the reason; when no asset has a rate at all the answer is a 503
 * `rate_unavailable`.
 */
export async function listRates(
  deps: RateDeps & AccessDeps,
  merchantId: string,
  query: TListRatesQuery,
): Promise<TRateList> {
  authorize(deps.actor, merchantId, "payments:read");
  const currency = parseCurrency(query.currency ?? "USD");
  const chains = query.chain ? deps.chains.filter((chain) => chain.name === query.chain) : deps.chains;
  if (query.chain && chains.length === 0)
    throw new AppError("validation_failed", `chain: unknown chain ${query.chain}`, {
      errors: [{ path: "chain", message: "unknown chain" }],
    });
  const now = Date.now();
  const quotes = await quoteRates(deps, { currency, assets: payableAssets(chains) });
  const data = quotes.map(
    (quote): TRateObject => ({
      object: "rate",
      chain: quote.chain,
      token: quote.symbol,
      token_address: quote.tokenAddress,
      decimals: quote.decimals,
      currency,
      rate: quote.ok ? quote.rate : null,
      source: quote.ok ? quote.source : null,
      as_of: quote.ok ? quote.asOf.toISOString() : null,
      age_seconds: quote.ok ? Math.max(0, Math.floor((now - quote.asOf.getTime()) / 1_000)) : null,
      error: quote.ok ? null : quote.error.message,
    }),
  );
  if (data.length > 0 && data.every((entry) => entry.rate === null))
    throw new AppError(
      "rate_unavailable",
      `No exchange rate in ${currency} can be had right now: ${data[0]?.error ?? "every source failed"}`,
    );
  return { object: "list", currency, data, has_more: false, next_cursor: null };
}
