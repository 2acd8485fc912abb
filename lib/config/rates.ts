// rates.yaml (RATES_FILE): where exchange rates come from (lib/rates). Validated at first use; a bad
// file stops the gateway with the path and the reason, like chains.yaml.
import { z } from "zod";
import { ZCurrency, ZRate } from "../money/fiat";
import { parseYamlConfig, readConfigFile, validateConfig } from "./config-file";
import { env } from "./env";

/** The price APIs the gateway can read (lib/rates/rate-sources.ts has their URLs and parsers). */
export const RATE_SOURCE_KINDS = ["coinbase", "kraken", "binance", "coingecko"] as const;

const ZSourceName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "lowercase letters, digits and dashes");
const ZSymbol = z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, "1–64 letters, digits, dots or dashes");

export const ZRateSource = z.strictObject({
  kind: z.enum(RATE_SOURCE_KINDS),
  /**
   * URL template (default: the API's public endpoint); `{base}`, `{quote}` and their lower-case
   * forms `{base_lower}`, `{quote_lower}` are replaced by the asset's and the currency's symbols.
   */
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** The source's symbol of a currency when it is not the ISO code (e.g. Binance quotes USD as USDT). */
  quotes: z.partialRecord(ZCurrency, ZSymbol).default({}),
});

/**
 * How the rate of one asset (a token symbol, a native coin, or a fiat currency used as a peg) is
 * found, in this order: `peg` (1 in that currency), `fixed` (configured rates, the devnet), the
 * median of `sources` (source name → the asset's symbol there), and for a pegged asset in another
 * currency the peg currency's own rate (an asset entry named by the currency code, e.g. `USD`).
 */
export const ZRateAsset = z
  .strictObject({
    peg: ZCurrency.optional(),
    fixed: z.partialRecord(ZCurrency, ZRate).default({}),
    sources: z.record(ZSourceName, ZSymbol).default({}),
  })
  .refine(
    (asset) =>
      asset.peg !== undefined || Object.keys(asset.fixed).length + Object.keys(asset.sources).length > 0,
    "give a peg, fixed rates or sources",
  );

export const ZRatesConfig = z
  .strictObject({
    /** A rate older than this is never used (neither a source's answer nor a stored rate). */
    staleAfterSeconds: z.number().int().min(10).max(86_400).default(600),
    /** Sourced rates are refreshed this often (the rates job); a stored rate this young is reused. */
    refreshSeconds: z.number().int().min(5).max(3_600).default(60),
    /**
     * An answer further than this from the median of all answers is left out; when no answer is
     * within it (two sources far apart) there is no rate rather than a wrong one.
     */
    maxDeviationPercent: z.number().int().min(1).max(100).default(10),
    /** Per request to a source. */
    timeoutMs: z.number().int().min(100).max(60_000).default(3_000),
    /**
     * Rate history older than this is pruned by the rates job (the newest rate of each pair is
     * always kept). Late transfers are valued at their block's time, so keep it well beyond how
     * late a payment may still be paid and scanned.
     */
    historyDays: z.number().int().min(1).max(3_650).default(90),
    /** Currencies the rates job keeps fresh (others are fetched when asked). */
    currencies: z.array(ZCurrency).min(1).default(["USD"]),
    /** Circuit breaker per source: consecutive failures that open it, and its cool-down (doubling). */
    breaker: z
      .strictObject({
        failureThreshold: z.number().int().min(1).max(100).default(3),
        baseCooldownMs: z.number().int().min(100).max(3_600_000).default(30_000),
        maxCooldownMs: z.number().int().min(100).max(86_400_000).default(600_000),
      })
      .default({ failureThreshold: 3, baseCooldownMs: 30_000, maxCooldownMs: 600_000 }),
    sources: z.record(ZSourceName, ZRateSource).default({}),
    /** By symbol (upper case), for every chain. */
    assets: z.record(ZSymbol, ZRateAsset).default({}),
    /** Per chain name: entries that replace `assets` on that chain (the devnet's fixed rates). */
    chains: z.record(z.string(), z.record(ZSymbol, ZRateAsset)).default({}),
  })
  .superRefine((config, ctx) => {
    const check = (asset: z.infer<typeof ZRateAsset>, path: (string | number)[]) => {
      for (const source of Object.keys(asset.sources))
        if (!(source in config.sources))
          ctx.addIssue({
            code: "custom",
            path: [...path, "sources", source],
            message: `unknown source ${source}`,
          });
    };
    for (const [symbol, asset] of Object.entries(config.assets)) check(asset, ["assets", symbol]);
    for (const [chain, assets] of Object.entries(config.chains))
      for (const [symbol, asset] of Object.entries(assets)) check(asset, ["chains", chain, symbol]);
  });

export type TRatesConfig = z.infer<typeof ZRatesConfig>;
export type TRateAsset = z.infer<typeof ZRateAsset>;
export type TRateSource = z.infer<typeof ZRateSource>;

/** Parses rates.yaml text; errors name the file, the path inside it and the reason. */
export function parseRatesConfig(text: string, file: string): TRatesConfig {
  return validateConfig(ZRatesConfig, parseYamlConfig(text, file) ?? {}, file);
}

export function loadRatesConfig(file: string): TRatesConfig {
  const { path, text } = readConfigFile(file, "the rates file (RATES_FILE)");
  return parseRatesConfig(text, path);
}

let cached: TRatesConfig | undefined;

/** The rates configuration of `RATES_FILE`, loaded and validated once per process. */
export function configuredRates(): TRatesConfig {
  cached ??= loadRatesConfig(env().RATES_FILE);
  return cached;
}

/** The entry that decides an asset's rate on a chain: the chain's own, else the global one. */
export function rateAssetOf(config: TRatesConfig, chain: string, symbol: string): TRateAsset | undefined {
  const key = symbol.toUpperCase();
  return config.chains[chain]?.[key] ?? config.assets[key];
}
