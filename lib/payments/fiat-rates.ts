// The fiat-priced payment's view of the rates service (lib/rates) and exact fiat arithmetic
// (lib/money/fiat.ts, which owns every rounding rule): quotes per option, transfer values.
import type { TChain } from "../config/chains";
import { AppError } from "../errors";
import {
  baseUnitsToFiat,
  fiatToBaseUnits,
  formatFiatAmount,
  isCurrency,
  parseCurrency,
  parseFiatAmount,
  type TCurrency,
} from "../money/fiat";
import { getRate, type RateDeps } from "../rates/get-rate";

export type RatesDeps = RateDeps;

/** A price from a request: its minor units and currency (400 for an unsupported currency). */
export function parsePrice(amount: string, currency: string, path: string) {
  const code = parseCurrency(currency, "price.currency");
  return { minor: parseFiatAmount(amount, code, path), currency: code };
}

/** Minor units as the currency's decimal string ("20.00"). */
export function formatPrice(minor: bigint, currency: string): string {
  return isCurrency(currency) ? formatFiatAmount(minor, currency) : minor.toString();
}

/** The amount of one option worth the price at the rate now (rounded up: the merchant gets the price). */
export async function quoteOption(
  rates: RatesDeps,
  params: {
    chain: TChain;
    token: { symbol: string; decimals: number };
    currency: TCurrency;
    minor: bigint;
    at: Date;
  },
) {
  const found = await getRate(rates, {
    chain: params.chain.name,
    token: params.token.symbol,
    currency: params.currency,
  });
  return {
    rate: found.rate,
    source: found.source,
    amount: fiatToBaseUnits(params.minor, params.currency, found.rate, params.token.decimals),
  };
}

/**
 * A transfer's value in minor units (rounded down): at the locked `quote` when given, else at the
 * rate of `at` (its block's time).
 */
export async function valueAt(
  rates: RatesDeps,
  params: {
    chain: string;
    token: string;
    decimals: number;
    currency: string;
    amount: bigint;
    at: Date;
    /** The locked quote when the transfer is inside the window, else null. */
    quote: string | null;
    /** The option's last quote: used when no rate of the block's time can be had (never blocks a scan). */
    fallback: string;
  },
): Promise<{ value: bigint; rate: string }> {
  const currency = parseCurrency(params.currency);
  const rate =
    params.quote ??
    (await getRate(rates, { chain: params.chain, token: params.token, currency, at: params.at }).then(
      (found) => found.rate,
      (error: unknown) => {
        if (error instanceof AppError && error.code === "rate_unavailable") return params.fallback;
        throw error;
      },
    ));
  return { value: baseUnitsToFiat(params.amount, currency, rate, params.decimals), rate };
}
