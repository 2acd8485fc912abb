import type { Db } from "../db/client";
import { formatAmount } from "../money/amounts";

export type VolumeDay = { day: string; amountBaseUnits: string; amount: string };
export type TokenVolume = {
  chain: string;
  symbol: string;
  decimals: number;
  total: string;
  totalBaseUnits: string;
  days: VolumeDay[];
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Received volume per chain and token over the last `days` UTC days (today included): the amount
 * received by payments that reached `confirmed` (or `settled`), by the day they were confirmed.
 * Every day is present (zero-filled) so charts have a stable x axis. Exact: sums are NUMERIC in
 * SQL and bigint here.
 */
export async function getReceivedVolume(
  db: Db,
  merchantId: string,
  options: { days?: number; now?: Date } = {},
): Promise<TokenVolume[]> {
  const dayCount = options.days ?? 30;
  const now = options.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (dayCount - 1) * DAY_MS);
  const rows = await db.$queryRaw<
    { day: Date; chain: string; token_symbol: string; token_decimals: number; total: string }[]
  >`
    SELECT date_trunc('day', confirmed_at AT TIME ZONE 'UTC') AS day, chain, token_symbol, token_decimals,
      SUM(amount_received)::text AS total
    FROM payments
    WHERE merchant_id = ${merchantId} AND status IN ('confirmed', 'settled') AND confirmed_at >= ${start}
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 3, 1`;
  const series = new Map<
    string,
    { chain: string; symbol: string; decimals: number; byDay: Map<string, bigint> }
  >();
  for (const row of rows) {
    const key = `${row.chain}:${row.token_symbol}`;
    const entry = series.get(key) ?? {
      chain: row.chain,
      symbol: row.token_symbol,
      decimals: row.token_decimals,
      byDay: new Map<string, bigint>(),
    };
    // `timestamp without time zone` from AT TIME ZONE 'UTC' arrives as a Date at that wall time in UTC.
    entry.byDay.set(row.day.toISOString().slice(0, 10), BigInt(row.total));
    series.set(key, entry);
  }
  return [...series.values()].map((entry) => {
    const days = Array.from({ length: dayCount }, (_, index) => {
      const day = new Date(start.getTime() + index * DAY_MS).toISOString().slice(0, 10);
      const value = entry.byDay.get(day) ?? 0n;
      return { day, amountBaseUnits: value.toString(), amount: formatAmount(value, entry.decimals) };
    });
    const total = days.reduce((sum, day) => sum + BigInt(day.amountBaseUnits), 0n);
    return {
      chain: entry.chain,
      symbol: entry.symbol,
      decimals: entry.decimals,
      total: formatAmount(total, entry.decimals),
      totalBaseUnits: total.toString(),
      days,
    };
  });
}
