// The overview's received totals in the merchant's display currency (issue 21): fiat-priced payments
// count with their own value received; single-coin payments are converted at the current rate only
// where one can be had — every other total stays in its coin or currency, never an invented value.
// Exact throughout: NUMERIC sums in SQL, bigint minor/base units here.
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { formatAmount } from "../money/amounts";
import { baseUnitsToFiat, formatFiatAmount, type TCurrency } from "../money/fiat";
import { formatPrice } from "../payments/fiat-rates";
import { resolveToken } from "../payments/payment-object";
import { quoteRates, type RateDeps } from "../rates/get-rate";

const DAY_MS = 24 * 60 * 60 * 1000;

export type TFiatTotals = {
  currency: TCurrency;
  /** Everything that could be valued in `currency`, as its decimal string ("123.45"). */
  total: string;
  /** Fiat-priced payments in `currency` (their value received). */
  fromFiatPayments: string;
  /** Single-coin payments converted at the current rate, per coin. */
  converted: { chain: string; symbol: string; amount: string; value: string; rate: string }[];
  /** What could not be valued in `currency`: coins without a rate, fiat payments priced in another currency. */
  notConverted: { label: string; amount: string; reason: string }[];
};

/**
 * Received by payments confirmed (or settled) in the last `days` UTC days (today included), valued
 * in `currency`; see the file comment for what is converted and what is not.
 */
export async function getFiatTotals(
  deps: { db: Db; chains: readonly TChain[]; sources?: RateDeps["sources"] },
  merchantId: string,
  currency: TCurrency,
  options: { days?: number; now?: Date } = {},
): Promise<TFiatTotals> {
  const now = options.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - ((options.days ?? 30) - 1) * DAY_MS);
  const [fiatRows, coinRows] = await Promise.all([
    deps.db.$queryRaw<{ price_currency: string; total: string }[]>`
      SELECT price_currency, SUM(value_received)::text AS total FROM payments
      WHERE merchant_id = ${merchantId} AND status IN ('confirmed', 'settled') AND confirmed_at >= ${start}
        AND price_amount IS NOT NULL
      GROUP BY 1 ORDER BY 1`,
    deps.db.$queryRaw<{ chain: string; token_symbol: string; token_decimals: number; total: string }[]>`
      SELECT chain, token_symbol, token_decimals, SUM(amount_received)::text AS total FROM payments
      WHERE merchant_id = ${merchantId} AND status IN ('confirmed', 'settled') AND confirmed_at >= ${start}
        AND price_amount IS NULL
      GROUP BY 1, 2, 3 ORDER BY 1, 2`,
  ]);
  const notConverted: TFiatTotals["notConverted"] = [];
  let fromFiat = 0n;
  for (const row of fiatRows) {
    if (row.price_currency === currency) fromFiat = BigInt(row.total);
    else
      notConverted.push({
        label: `priced in ${row.price_currency}`,
        amount: `${formatPrice(BigInt(row.total), row.price_currency)} ${row.price_currency}`,
        reason: `payments priced in ${row.price_currency} are not converted to ${currency}`,
      });
  }
  // Coins still configured can be rated; a chain or token removed from chains.yaml cannot.
  const coins = coinRows.map((row) => {
    const chain = deps.chains.find((candidate) => candidate.name === row.chain);
    return {
      ...row,
      units: BigInt(row.total),
      rated: Boolean(chain && resolveToken(chain, row.token_symbol)),
    };
  });
  const rated = coins.filter((coin) => coin.rated && coin.units > 0n);
  const rates = await quoteRates(
    { db: deps.db, chains: [...deps.chains], sources: deps.sources },
    { currency, assets: rated.map((coin) => ({ chain: coin.chain, token: coin.token_symbol })) },
  );
  const converted: TFiatTotals["converted"] = [];
  let fromCoins = 0n;
  for (const coin of coins) {
    if (coin.units === 0n) continue;
    const amount = `${formatAmount(coin.units, coin.token_decimals)} ${coin.token_symbol}`;
    const quote = rates[rated.indexOf(coin)];
    if (!quote?.ok) {
      notConverted.push({
        label: `${coin.token_symbol} on ${coin.chain}`,
        amount,
        reason: "no rate available",
      });
      continue;
    }
    const value = baseUnitsToFiat(coin.units, currency, quote.rate, coin.token_decimals);
    fromCoins += value;
    converted.push({
      chain: coin.chain,
      symbol: coin.token_symbol,
      amount,
      value: formatFiatAmount(value, currency),
      rate: quote.rate,
    });
  }
  return {
    currency,
    total: formatFiatAmount(fromFiat + fromCoins, currency),
    fromFiatPayments: formatFiatAmount(fromFiat, currency),
    converted,
    notConverted,
  };
}
