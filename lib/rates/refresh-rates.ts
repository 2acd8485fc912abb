// The rates job's work: keeps the stored rate of every sourced asset of the configured chains fresh
// in every currency of rates.yaml `currencies`, so quotes rarely wait on a price API and late
// transfers find the rate of their block's time. Pegged and fixed rates need nothing.

import type { TChain } from "../config/chains";
import { rateAssetOf } from "../config/rates";
import type { Db } from "../db/client";
import type { TCurrency } from "../money/fiat";
import { fetchRate } from "./get-rate";
import type { RateSources } from "./rate-sources";

export type RefreshRatesResult = { refreshed: string[]; failed: string[] };

/** The sourced asset/currency pairs of these chains: what needs fetching (each pair once). */
export function sourcedPairs(
  sources: RateSources,
  chains: readonly TChain[],
): { asset: string; symbols: Record<string, string>; currency: TCurrency }[] {
  const pairs = new Map<string, { asset: string; symbols: Record<string, string>; currency: TCurrency }>();
  for (const chain of chains)
    for (const symbol of [chain.nativeCurrency.symbol, ...chain.tokens.map((token) => token.symbol)]) {
      const asset = rateAssetOf(sources.config, chain.name, symbol);
      if (!asset || Object.keys(asset.sources).length === 0) continue;
      for (const currency of sources.config.currencies) {
        if (asset.peg === currency || asset.fixed[currency] !== undefined) continue;
        const key = `${symbol.toUpperCase()}/${currency}`;
        if (!pairs.has(key))
          pairs.set(key, { asset: symbol.toUpperCase(), symbols: asset.sources, currency });
      }
    }
  return [...pairs.values()];
}

/** Fetches and stores each pair now; a pair whose sources all fail is reported, not thrown. */
export async function refreshRates(deps: {
  db: Db;
  chains: readonly TChain[];
  sources: RateSources;
}): Promise<RefreshRatesResult> {
  const result: RefreshRatesResult = { refreshed: [], failed: [] };
  await Promise.all(
    sourcedPairs(deps.sources, deps.chains).map(async (pair) => {
      const rate = await fetchRate(deps.db, deps.sources, pair);
      (rate ? result.refreshed : result.failed).push(`${pair.asset}/${pair.currency}`);
    }),
  );
  result.refreshed.sort();
  result.failed.sort();
  return result;
}
