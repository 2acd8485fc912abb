/**
 * Exchange rates (issue 21 point 2): what a chain's token or native coin is worth in a fiat currency.
 *
 *   getRate(deps, { chain, token?, currency, at? }) → { rate, source, asOf, symbol, decimals, tokenAddress }
 *     - deps: { db, chains (configuredChains()), sources? (default sharedRateSources(), from rates.yaml) }
 *     - token: the symbol as in chains.yaml (any case), or null / undefined / "native" for the chain's coin
 *     - currency: TCurrency (lib/money/fiat.ts; parse user input with parseCurrency → 400)
 *     - rate: currency units per ONE WHOLE token, an exact decimal string ("3150.25"); never a float.
 *       Convert with fiatToBaseUnits / baseUnitsToFiat (lib/money/fiat.ts), which own the rounding.
 *     - source: "peg" (stablecoin in its peg currency, "1", never fetched), "fixed" (rates.yaml, the
 *       devnet), a source name ("coinbase"), "median:coinbase,kraken", or "peg:USD×<source>" (a
 *       stablecoin in another currency, through its peg currency's rate).
 *     - at: omitted (or within refreshSeconds of now) = the current rate: a stored rate fetched within
 *       refreshSeconds, else every source asked now (median of those that agree, stored), else the
 *       last stored rate within staleAfterSeconds. A past `at` = the newest stored rate at or before
 *       `at`, at most staleAfterSeconds older (a transfer after its quote window, valued at its
 *       block's time). Pegged and fixed rates are the same at every moment. The history
 *       (exchange_rates) is kept per asset symbol and currency; the rates job (lib/jobs/jobs.ts)
 *       refreshes rates.yaml `currencies` every refreshSeconds.
 *     - throws AppError "rate_unavailable" (503) when no rate can be had, "validation_failed" (422)
 *       for an unknown chain or token.
 *   quoteRates(deps, { currency, assets: [{ chain, token? }], at? }) → per asset, in order, either
 *     { ok: true, chain, symbol, decimals, tokenAddress, rate, source, asOf } or
 *     { ok: false, chain, symbol, decimals, tokenAddress, error: AppError } (one unavailable rate does
 *     not fail the others: pegged stablecoins keep working while every price API is down; an unknown
 *     chain or token throws 422).
 */
import type { TChain } from "../config/chains";
import { rateAssetOf } from "../config/rates";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { logger } from "../logger";
import { normalizeRate, type TCurrency } from "../money/fiat";
import { recentlyFetchedRate, recordRate, storedRateAt } from "./rate-history";
import { combineAnswers, type RateSources } from "./rate-sources";
import { sharedRateSources } from "./shared-rate-sources";

export type RateDeps = { db: Db; chains: readonly TChain[]; sources?: RateSources };
export type RateQuery = { chain: string; token?: string | null; currency: TCurrency; at?: Date };

/** A rate: currency units per whole asset (exact decimal string), where it came from and when it held. */
export type TExchangeRate = { rate: string; source: string; asOf: Date };

/** The asset a rate was asked for, as chains.yaml has it. */
export type TRatedAsset = {
  chain: string;
  symbol: string;
  decimals: number;
  tokenAddress: `0x${string}` | null;
};

export type TAssetRate = TRatedAsset & TExchangeRate;

export function rateUnavailable(detail: string): AppError {
  return new AppError("rate_unavailable", detail);
}

/** The chain's token (by symbol, any case) or its native coin (token null, undefined or "native"). */
export function resolveRatedAsset(
  chains: readonly TChain[],
  chain: string,
  token?: string | null,
): TRatedAsset {
  const config = chains.find((candidate) => candidate.name === chain);
  if (!config)
    throw new AppError("validation_failed", `chain: unknown chain ${chain}`, {
      errors: [{ path: "chain", message: "unknown chain" }],
    });
  const wanted = token?.toUpperCase();
  if (wanted === undefined || wanted === "NATIVE" || wanted === config.nativeCurrency.symbol.toUpperCase())
    return {
      chain,
      symbol: config.nativeCurrency.symbol,
      decimals: config.nativeCurrency.decimals,
      tokenAddress: null,
    };
  const found = config.tokens.find((candidate) => candidate.symbol.toUpperCase() === wanted);
  if (!found)
    throw new AppError("validation_failed", `token: ${token} is not a token of ${chain}`, {
      errors: [{ path: "token", message: "unknown token" }],
    });
  return { chain, symbol: found.symbol, decimals: found.decimals, tokenAddress: found.address };
}

export async function getRate(deps: RateDeps, query: RateQuery): Promise<TAssetRate> {
  const asset = resolveRatedAsset(deps.chains, query.chain, query.token);
  const rate = await rateOf(
    deps,
    { chain: query.chain, currency: query.currency, at: query.at },
    asset.symbol,
    0,
  );
  return { ...asset, ...rate };
}

export type TQuotedRate = ({ ok: true } & TAssetRate) | ({ ok: false; error: AppError } & TRatedAsset);

export async function quoteRates(
  deps: RateDeps,
  request: { currency: TCurrency; assets: readonly { chain: string; token?: string | null }[]; at?: Date },
): Promise<TQuotedRate[]> {
  // An unknown chain or token is the caller's mistake (422) and fails the whole call.
  const assets = request.assets.map(({ chain, token }) => resolveRatedAsset(deps.chains, chain, token));
  const context = { currency: request.currency, at: request.at };
  return Promise.all(
    assets.map(async (asset): Promise<TQuotedRate> => {
      try {
        return {
          ok: true,
          ...asset,
          ...(await rateOf(deps, { ...context, chain: asset.chain }, asset.symbol, 0)),
        };
      } catch (error) {
        if (error instanceof AppError) return { ok: false, ...asset, error };
        throw error;
      }
    }),
  );
}

type Context = { chain: string; currency: TCurrency; at?: Date };

async function rateOf(
  deps: RateDeps,
  context: Context,
  symbol: string,
  depth: number,
): Promise<TExchangeRate> {
  const sources = deps.sources ?? sharedRateSources();
  const asset = rateAssetOf(sources.config, context.chain, symbol);
  const now = new Date(sources.now());
  const at = context.at && context.at < now ? context.at : now;
  const { currency } = context;
  if (!asset) throw rateUnavailable(`No rate is configured for ${symbol} on ${context.chain} (rates.yaml).`);
  if (asset.peg === currency) return { rate: "1", source: "peg", asOf: at };
  const fixed = asset.fixed[currency];
  if (fixed !== undefined) return { rate: normalizeRate(fixed), source: "fixed", asOf: at };
  let failure: AppError | undefined;
  if (Object.keys(asset.sources).length > 0) {
    try {
      return await sourcedRate(deps, sources, {
        asset: symbol.toUpperCase(),
        symbols: asset.sources,
        currency,
        at,
        now,
      });
    } catch (error) {
      if (!(error instanceof AppError) || !asset.peg) throw error;
      failure = error;
    }
  }
  // A stablecoin in another currency: its peg currency's rate (one level deep: a currency's own entry).
  if (asset.peg && depth === 0) {
    const cross = await rateOf(deps, context, asset.peg, 1).catch((error: unknown) => {
      throw failure ?? error;
    });
    return { rate: cross.rate, source: `peg:${asset.peg}×${cross.source}`, asOf: cross.asOf };
  }
  throw failure ?? rateUnavailable(`No rate of ${symbol} in ${currency} is configured (rates.yaml).`);
}

async function sourcedRate(
  deps: RateDeps,
  sources: RateSources,
  query: { asset: string; symbols: Record<string, string>; currency: TCurrency; at: Date; now: Date },
): Promise<TExchangeRate> {
  const { staleAfterSeconds, refreshSeconds } = sources.config;
  const { asset, currency, at, now } = query;
  const staleMs = staleAfterSeconds * 1_000;
  if (now.getTime() - at.getTime() > refreshSeconds * 1_000) {
    const stored = await storedRateAt(deps.db, { asset, currency, at, maxAgeMs: staleMs });
    if (stored) return stored;
    throw rateUnavailable(
      `No stored rate of ${asset} in ${currency} within ${staleAfterSeconds} s before ${at.toISOString()}.`,
    );
  }
  // The check for a recent fetch is part of the shared round: a caller that missed the round still
  // in flight finds the rate it stored, instead of asking the sources again.
  const live = await sources.shared(`rate:${asset}/${currency}`, async () => {
    const recent = await recentlyFetchedRate(deps.db, {
      asset,
      currency,
      since: new Date(now.getTime() - refreshSeconds * 1_000),
      now,
      maxAgeMs: staleMs,
    });
    return recent ?? (await fetchRate(deps.db, sources, query));
  });
  if (live) return live;
  const lastKnown = await storedRateAt(deps.db, { asset, currency, at: now, maxAgeMs: staleMs });
  if (lastKnown) return lastKnown;
  throw rateUnavailable(
    `No rate source answered for ${asset} in ${currency}, and no stored rate is younger than ${staleAfterSeconds} s; retry later.`,
  );
}

/**
 * Asks the asset's sources now; stores and returns the median of those that answered and agree, or
 * null when none did. Every answer is stored with it (also the ones left out), for the record.
 */
export async function fetchRate(
  db: Db,
  sources: RateSources,
  query: { asset: string; symbols: Record<string, string>; currency: TCurrency },
): Promise<TExchangeRate | null> {
  const answers = await sources.ask(query.asset, query.symbols, query.currency);
  const combined = combineAnswers(answers, sources.config.maxDeviationPercent);
  if (!combined) {
    if (answers.length > 0)
      logger.warn("rate sources disagree beyond maxDeviationPercent: no rate taken", {
        asset: query.asset,
        currency: query.currency,
        answers: answers.map(({ source, rate }) => ({ source, rate })),
      });
    return null;
  }
  await recordRate(db, {
    asset: query.asset,
    currency: query.currency,
    ...combined,
    answers,
    fetchedAt: new Date(sources.now()),
  });
  return combined;
}
