// The public price APIs rates are read from: each kind's default URL template and the parser of its
// answer, and `RateSources`, which asks every configured source of an asset at once (each behind its
// own circuit breaker, with a timeout), drops stale or failed answers and takes the exact median.
import { z } from "zod";
import type { TRateSource, TRatesConfig } from "../config/rates";
import { logger } from "../logger";
import { medianRate, normalizeRate, rateWithinPercent, type TCurrency } from "../money/fiat";
import { CircuitBreaker } from "../resilience/circuit-breaker";

type Kind = TRateSource["kind"];
/** What one source said: the rate and when it held (the source's timestamp, else when it answered). */
export type SourceAnswer = { source: string; rate: string; asOf: Date };
type Parsed = { rate: string; asOf?: Date };

const DEFAULT_URLS: Record<Kind, string> = {
  coinbase: "https://api.coinbase.com/v2/prices/{base}-{quote}/spot",
  kraken: "https://api.kraken.com/0/public/Ticker?pair={base}{quote}",
  binance: "https://api.binance.com/api/v3/ticker/price?symbol={base}{quote}",
  coingecko:
    "https://api.coingecko.com/api/v3/simple/price?ids={base_lower}&vs_currencies={quote_lower}&include_last_updated_at=true",
};

const ZDecimalString = z.string().regex(/^\d{1,40}(\.\d{1,36})?$/);

/**
 * A JSON number literal ("3150.25", "3.15025e3") as an exact decimal string, read from the raw text
 * so no float ever holds it. Refuses negatives and more precision than a rate keeps.
 */
export function decimalFromNumberLiteral(literal: string): string {
  const match = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,3}))?$/.exec(literal);
  if (!match) throw new Error(`not a positive number: ${literal.slice(0, 40)}`);
  const [, whole = "", fraction = "", exponentText = "0"] = match;
  const exponent = Number.parseInt(exponentText, 10);
  const digits = whole + fraction;
  const point = whole.length + exponent;
  if (point <= 0) return normalizeRate(`0.${"0".repeat(-point)}${digits}`);
  if (point >= digits.length) return normalizeRate(digits + "0".repeat(point - digits.length));
  return normalizeRate(`${digits.slice(0, point)}.${digits.slice(point)}`);
}

const PARSERS: Record<Kind, (text: string, quote: string) => Parsed> = {
  coinbase: (text) => ({
    rate: z.object({ data: z.object({ amount: ZDecimalString }) }).parse(JSON.parse(text)).data.amount,
  }),
  kraken: (text) => {
    const body = z
      .object({
        error: z.array(z.string()),
        result: z.record(z.string(), z.object({ c: z.tuple([ZDecimalString], z.string()) })).optional(),
      })
      .parse(JSON.parse(text));
    if (body.error.length > 0) throw new Error(`kraken: ${body.error.join("; ").slice(0, 200)}`);
    const pairs = Object.values(body.result ?? {});
    if (pairs.length !== 1) throw new Error(`kraken: expected one pair, got ${pairs.length}`);
    return { rate: (pairs[0] as { c: [string] }).c[0] };
  },
  binance: (text) => ({ rate: z.object({ price: ZDecimalString }).parse(JSON.parse(text)).price }),
  coingecko: (text, quote) => {
    // Checked as JSON first, then the number is taken from the text itself (JSON.parse would make it a float).
    const body = z
      .record(
        z.string(),
        z.object({ last_updated_at: z.number().int().positive().optional() }).catchall(z.unknown()),
      )
      .parse(JSON.parse(text));
    const entries = Object.values(body);
    if (entries.length !== 1) throw new Error(`coingecko: expected one asset, got ${entries.length}`);
    const key = quote.toLowerCase().replace(/[^a-z0-9]/g, "");
    const literal = new RegExp(`"${key}"\\s*:\\s*([0-9.eE+-]+)`).exec(text)?.[1];
    if (!literal) throw new Error(`coingecko: no ${key} price`);
    const updated = entries[0]?.last_updated_at;
    return {
      rate: decimalFromNumberLiteral(literal),
      asOf: updated === undefined ? undefined : new Date(updated * 1_000),
    };
  },
};

function sourceUrl(source: TRateSource, base: string, quote: string): string {
  const values: Record<string, string> = {
    base,
    quote,
    base_lower: base.toLowerCase(),
    quote_lower: quote.toLowerCase(),
  };
  return (source.url ?? DEFAULT_URLS[source.kind]).replace(
    /\{(base|quote|base_lower|quote_lower)\}/g,
    (_m, name: string) => encodeURIComponent(values[name] ?? ""),
  );
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** What /api/health shows of one source: its circuit breaker (never its URL, which may hold a key). */
export const ZRateSourceStatus = z.object({
  source: z.string(),
  state: z.enum(["closed", "open", "half_open"]),
  consecutive_failures: z.number().int(),
  retry_at: z.string().nullable(),
  last_error: z.string().nullable(),
});
export type RateSourceStatus = z.infer<typeof ZRateSourceStatus>;

export type RateSourcesOptions = {
  fetch?: typeof fetch;
  now?: () => number;
};

/** The configured sources with their breakers: one instance per process (see sharedRateSources). */
export class RateSources {
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Work in flight per key (see `shared`): concurrent callers share one round of requests. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly fetch: typeof fetch;
  readonly now: () => number;

  constructor(
    readonly config: TRatesConfig,
    options: RateSourcesOptions = {},
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    for (const name of Object.keys(config.sources))
      this.breakers.set(name, new CircuitBreaker(config.breaker));
  }

  statuses(): RateSourceStatus[] {
    return [...this.breakers].map(([source, breaker]) => ({
      source,
      state: breaker.state,
      consecutive_failures: breaker.consecutiveFailures,
      retry_at: breaker.state === "open" ? new Date(breaker.retryAt).toISOString() : null,
      last_error: breaker.lastError,
    }));
  }

  /**
   * Asks every source of the asset whose breaker lets a request through, in parallel; returns the
   * fresh answers (none when every source failed, is open or answered stale).
   */
  ask(asset: string, symbols: Record<string, string>, currency: TCurrency): Promise<SourceAnswer[]> {
    return this.shared(`ask:${asset}/${currency}`, async () => {
      const answers = await Promise.all(
        Object.entries(symbols).map(([name, base]) => this.askOne(name, base, currency)),
      );
      return answers.filter((answer): answer is SourceAnswer => answer !== null);
    });
  }

  /**
   * Runs `work` once for every caller of `key` until it settles: a caller that comes while it runs
   * gets the same promise; one that comes after starts it again (and sees what it left behind).
   */
  shared<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const round = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, round);
    return round;
  }

  private async askOne(name: string, base: string, currency: TCurrency): Promise<SourceAnswer | null> {
    const source = this.config.sources[name];
    const breaker = this.breakers.get(name);
    if (!source || !breaker?.available(this.now())) return null;
    const started = this.now();
    try {
      const parsed = await this.request(source, base, source.quotes[currency] ?? currency);
      breaker.succeeded(this.now() - started);
      // A source clock ahead of ours cannot date a rate in the future.
      const asOf = parsed.asOf && parsed.asOf.getTime() < started ? parsed.asOf : new Date(started);
      if (this.now() - asOf.getTime() > this.config.staleAfterSeconds * 1_000) {
        logger.warn("rate source answered a stale rate: not used", {
          source: name,
          base,
          currency,
          as_of: asOf,
        });
        return null;
      }
      return { source: name, rate: normalizeRate(parsed.rate), asOf };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const wasOpen = breaker.state === "open";
      breaker.failed(message.slice(0, 300), this.now());
      if (!wasOpen && breaker.state === "open")
        logger.warn("rate source skipped for a cool-down (circuit breaker open)", {
          source: name,
          cooldown_ms: breaker.cooldownMs,
          error: breaker.lastError,
        });
      return null;
    }
  }

  private async request(source: TRateSource, base: string, quote: string): Promise<Parsed> {
    const response = await this.fetch(sourceUrl(source, base, quote), {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(this.config.timeoutMs),
      redirect: "error",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_ANSWER_BYTES) throw new Error("answer too large");
    return PARSERS[source.kind](text, quote);
  }
}

/**
 * The median of fresh answers and its name: one source by name, several as "median:a,b". Answers
 * further than `maxDeviationPercent` from the median of all answers are left out (a broken or
 * manipulated source); when none is within it (two sources far apart) there is no rate: better no
 * quote than a wrong one.
 */
export function combineAnswers(
  answers: readonly SourceAnswer[],
  maxDeviationPercent: number,
): { rate: string; source: string; asOf: Date } | null {
  if (answers.length === 0) return null;
  const all = medianRate(answers.map((answer) => answer.rate));
  const agreeing = answers.filter((answer) => rateWithinPercent(answer.rate, all, maxDeviationPercent));
  if (agreeing.length === 0) return null;
  const names = agreeing.map((answer) => answer.source).sort();
  return {
    rate: medianRate(agreeing.map((answer) => answer.rate)),
    source: names.length === 1 ? (names[0] as string) : `median:${names.join(",")}`,
    // The median is only as recent as the oldest answer it was taken from.
    asOf: new Date(Math.min(...agreeing.map((answer) => answer.asOf.getTime()))),
  };
}
