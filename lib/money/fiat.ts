// Exact fiat arithmetic: ISO 4217 currencies with their minor units, fiat decimal strings, exchange
// rates as exact decimal strings, and conversions between fiat minor units and token base units on
// bigint rationals. No floating point anywhere.
//
// Rounding rule (the only one): the amount a payer must send rounds UP to the token's base unit (the
// merchant never receives less than the price), the value a transfer is credited with rounds DOWN to
// the currency's minor unit (the merchant is never credited more than was sent). Hence for every
// price p: baseUnitsToFiat(fiatToBaseUnits(p)) >= p, and one base unit less would be worth < p.
import { z } from "zod";
import { AppError } from "../errors";
import { formatAmount, parseAmount } from "./amounts";

/** ISO 4217 currencies a price may be in, with their minor units (digits after the point). */
export const CURRENCY_MINOR_UNITS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  JPY: 0,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  HUF: 2,
  SGD: 2,
  HKD: 2,
  CNY: 2,
  INR: 2,
  BRL: 2,
  MXN: 2,
  ZAR: 2,
  TRY: 2,
  KRW: 0,
  KWD: 3,
  BHD: 3,
} as const satisfies Record<string, number>;

export type TCurrency = keyof typeof CURRENCY_MINOR_UNITS;
export const CURRENCIES = Object.keys(CURRENCY_MINOR_UNITS) as [TCurrency, ...TCurrency[]];
export const ZCurrency = z.enum(CURRENCIES);

export function isCurrency(value: string): value is TCurrency {
  return Object.hasOwn(CURRENCY_MINOR_UNITS, value);
}

export function minorUnitsOf(currency: TCurrency): number {
  return CURRENCY_MINOR_UNITS[currency];
}

/**
 * Parses a positive fiat amount ("20.00", "20", "1500" JPY) into minor units (2000n cents). At most
 * the currency's minor digits; signs, exponents, zero and spaces are refused with a 422 naming `path`.
 */
export function parseFiatAmount(text: string, currency: TCurrency, path = "amount"): bigint {
  return parseAmount(text, minorUnitsOf(currency), path);
}

/** Minor units as the currency's usual decimal string, all minor digits written ("20.00", "1500"). */
export function formatFiatAmount(minorUnits: bigint, currency: TCurrency): string {
  const digits = minorUnitsOf(currency);
  const text = formatAmount(minorUnits, digits);
  if (digits === 0) return text;
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(digits, "0")}`;
}

// ─── Rates ──────────────────────────────────────────────────────────────────────────────────────

/** Longest fraction a rate keeps: cross rates multiply, and a bound keeps the numbers small. */
export const RATE_MAX_DECIMALS = 36;
const RATE_PATTERN = /^(\d{1,40})(?:\.(\d{1,36}))?$/;

/** An exact positive decimal, value = numerator / 10^scale. */
export type Decimal = { numerator: bigint; scale: number };

/** Parses a rate ("3150.25": currency units per whole token); throws on anything else or zero. */
export function parseRate(text: string): Decimal {
  const match = RATE_PATTERN.exec(text);
  if (!match) throw new RangeError(`not an exact decimal rate: ${JSON.stringify(text.slice(0, 60))}`);
  const [, whole = "", fraction = ""] = match;
  const numerator = BigInt(whole + fraction);
  if (numerator === 0n) throw new RangeError("a rate must be greater than zero");
  return { numerator, scale: fraction.length };
}

export function isRate(text: string): boolean {
  try {
    parseRate(text);
    return true;
  } catch {
    return false;
  }
}

/** A rate as an exact positive decimal string ("3150.25"); what every API and table carries. */
export const ZRate = z.string().refine(isRate, 'must be a positive exact decimal string such as "3150.25"');
export type TRate = string;

/** The shortest form of a decimal: "3150.2500" → "3150.25", "007" → "7". */
export function formatRate({ numerator, scale }: Decimal): string {
  return formatAmount(numerator, scale);
}

export function normalizeRate(text: string): string {
  return formatRate(parseRate(text));
}

/**
 * A decimal with more than RATE_MAX_DECIMALS fraction digits (a product or a mean) cut to that many;
 * rounded half up. Only rates pass here, never amounts: the rounding of amounts is the rule above.
 */
function bounded({ numerator, scale }: Decimal): Decimal {
  if (scale <= RATE_MAX_DECIMALS) return { numerator, scale };
  const divisor = 10n ** BigInt(scale - RATE_MAX_DECIMALS);
  const rounded = (numerator + divisor / 2n) / divisor;
  return { numerator: rounded === 0n ? 1n : rounded, scale: RATE_MAX_DECIMALS };
}

/** Two decimals as integers of one common scale. */
function aligned(x: Decimal, y: Decimal): { left: bigint; right: bigint; scale: number } {
  const scale = Math.max(x.scale, y.scale);
  return {
    left: x.numerator * 10n ** BigInt(scale - x.scale),
    right: y.numerator * 10n ** BigInt(scale - y.scale),
    scale,
  };
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compareRates(a: string, b: string): -1 | 0 | 1 {
  const { left, right } = aligned(parseRate(a), parseRate(b));
  return left < right ? -1 : left > right ? 1 : 0;
}

/** |rate − reference| ≤ percent % of reference, exactly. */
export function rateWithinPercent(rate: string, reference: string, percent: number): boolean {
  const { left, right } = aligned(parseRate(rate), parseRate(reference));
  const difference = left > right ? left - right : right - left;
  return difference * 100n <= BigInt(percent) * right;
}

/** The median of rates, exact: the middle one, or the mean of the two middle ones. */
export function medianRate(rates: readonly string[]): string {
  if (rates.length === 0) throw new RangeError("the median of no rates");
  const sorted = [...rates].sort(compareRates);
  const middle = Math.floor(sorted.length / 2);
  const upper = parseRate(sorted[middle] as string);
  if (sorted.length % 2 === 1) return formatRate(upper);
  const { left, right, scale } = aligned(upper, parseRate(sorted[middle - 1] as string));
  // (left + right) / 2 = (left + right) * 5 / 10: one more digit, still exact.
  return formatRate(bounded({ numerator: (left + right) * 5n, scale: scale + 1 }));
}

/** a × b: a cross rate (token → USD × USD → EUR = token → EUR). */
export function multiplyRates(a: string, b: string): string {
  const x = parseRate(a);
  const y = parseRate(b);
  return formatRate(bounded({ numerator: x.numerator * y.numerator, scale: x.scale + y.scale }));
}

// ─── Conversions ────────────────────────────────────────────────────────────────────────────────

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * The token amount (base units) worth `fiatMinorUnits` of `currency` at `rate` (currency units per
 * whole token), rounded UP: what a payer must send so the merchant gets at least the price.
 *   base = minor × 10^decimals × 10^rateScale / (10^currencyDigits × rateNumerator)
 */
export function fiatToBaseUnits(
  fiatMinorUnits: bigint,
  currency: TCurrency,
  rate: string,
  tokenDecimals: number,
): bigint {
  if (fiatMinorUnits < 0n) throw new RangeError("a fiat amount cannot be negative");
  const { numerator, scale } = parseRate(rate);
  return ceilDiv(
    fiatMinorUnits * 10n ** BigInt(tokenDecimals + scale),
    10n ** BigInt(minorUnitsOf(currency)) * numerator,
  );
}

/**
 * What `baseUnits` of a token are worth in `currency` minor units at `rate`, rounded DOWN: the value
 * a received transfer is credited with.
 *   minor = base × rateNumerator × 10^currencyDigits / (10^decimals × 10^rateScale)
 */
export function baseUnitsToFiat(
  baseUnits: bigint,
  currency: TCurrency,
  rate: string,
  tokenDecimals: number,
): bigint {
  if (baseUnits < 0n) throw new RangeError("a token amount cannot be negative");
  const { numerator, scale } = parseRate(rate);
  return (
    (baseUnits * numerator * 10n ** BigInt(minorUnitsOf(currency))) / 10n ** BigInt(tokenDecimals + scale)
  );
}

/** A currency code from a request, upper-cased; 400 naming `path` when it is no supported ISO 4217 code. */
export function parseCurrency(text: string | undefined | null, path = "currency"): TCurrency {
  const code = (text ?? "").trim().toUpperCase();
  if (isCurrency(code)) return code;
  throw new AppError(
    "bad_request",
    `${path}: ${JSON.stringify((text ?? "").slice(0, 16))} is not a supported ISO 4217 currency (${CURRENCIES.join(", ")})`,
    { errors: [{ path, message: "unsupported currency" }] },
  );
}
