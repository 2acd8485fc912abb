// The stored rate history (table exchange_rates): every rate taken from the sources is kept, so a
// rate can be looked up for a past moment (a transfer valued at its block's time).
import type { Db } from "../db/client";
import type { SourceAnswer } from "./rate-sources";

export type StoredRate = { rate: string; source: string; asOf: Date };

/** Records a rate; recording the same asset, currency and time twice keeps the first. */
export async function recordRate(
  db: Db,
  row: {
    asset: string;
    currency: string;
    rate: string;
    source: string;
    asOf: Date;
    answers: readonly SourceAnswer[];
    /** When it was fetched (default: the database's now). */
    fetchedAt?: Date;
  },
): Promise<void> {
  await db.exchangeRate.createMany({
    data: [
      {
        asset: row.asset,
        currency: row.currency,
        rate: row.rate,
        source: row.source,
        asOf: row.asOf,
        ...(row.fetchedAt ? { fetchedAt: row.fetchedAt } : {}),
        answers: row.answers.map((answer) => ({
          source: answer.source,
          rate: answer.rate,
          as_of: answer.asOf.toISOString(),
        })),
      },
    ],
    skipDuplicates: true,
  });
}

/** The newest stored rate of `asset` in `currency` that held at `at`, if it is at most `maxAgeMs` older. */
export async function storedRateAt(
  db: Db,
  query: { asset: string; currency: string; at: Date; maxAgeMs: number },
): Promise<StoredRate | null> {
  const row = await db.exchangeRate.findFirst({
    where: {
      asset: query.asset,
      currency: query.currency,
      asOf: { lte: query.at, gte: new Date(query.at.getTime() - query.maxAgeMs) },
    },
    orderBy: { asOf: "desc" },
    select: { rate: true, source: true, asOf: true },
  });
  return row;
}

/**
 * The newest rate fetched since `since` and not older than `maxAgeMs` at `now`: a fetch that recent
 * is not repeated (a source's own timestamp may lag its answer by a minute: it is the fetch time
 * that decides, or every request would ask the sources again).
 */
export async function recentlyFetchedRate(
  db: Db,
  query: { asset: string; currency: string; since: Date; now: Date; maxAgeMs: number },
): Promise<StoredRate | null> {
  return db.exchangeRate.findFirst({
    where: {
      asset: query.asset,
      currency: query.currency,
      fetchedAt: { gte: query.since },
      asOf: { lte: query.now, gte: new Date(query.now.getTime() - query.maxAgeMs) },
    },
    orderBy: { asOf: "desc" },
    select: { rate: true, source: true, asOf: true },
  });
}

/**
 * Deletes rates that held before `before`, except the newest of each asset/currency pair (a rate
 * the next lookup may still fall back to). Returns how many rows went.
 */
export async function pruneRateHistory(db: Db, before: Date): Promise<number> {
  return db.$executeRaw`
    DELETE FROM exchange_rates AS r WHERE r.as_of < ${before}
      AND r.as_of < (SELECT max(n.as_of) FROM exchange_rates AS n
        WHERE n.asset = r.asset AND n.currency = r.currency)`;
}
