// Rate sources emulated by a local HTTP server speaking each price API's format: median of the
// sources that answer, timeouts, stale answers, the circuit breaker, every source down, and the rate
// history (a past moment gets the stored rate of that moment).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZRatesConfig } from "../config/rates";
import type { Db } from "../db/client";
import { getHealth } from "../health/get-health";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { getRate } from "./get-rate";
import { recordRate } from "./rate-history";
import { decimalFromNumberLiteral, RateSources } from "./rate-sources";
import { refreshRates } from "./refresh-rates";

type Reply = { status?: number; body?: string; hang?: boolean; delayMs?: number };
/** What each emulated API answers next, by kind; and how often it was asked. */
const replies = new Map<string, () => Reply>();
const hits = new Map<string, number>();
let server: Server;
let baseUrl: string;
let database: TestDatabase;
let clock: number;
let asset = 0;

function handle(request: IncomingMessage, response: ServerResponse) {
  const kind = new URL(request.url ?? "/", "http://x").pathname.split("/")[1] ?? "";
  hits.set(kind, (hits.get(kind) ?? 0) + 1);
  const reply = replies.get(kind)?.() ?? { status: 404, body: "{}" };
  if (reply.hang) return; // never answers: the client's timeout must end it
  setTimeout(() => {
    response.writeHead(reply.status ?? 200, { "content-type": "application/json" });
    response.end(reply.body ?? "");
  }, reply.delayMs ?? 0);
}

const answer = {
  coinbase: (rate: string): Reply => ({
    body: JSON.stringify({ data: { amount: rate, base: "ETH", currency: "USD" } }),
  }),
  kraken: (rate: string): Reply => ({
    body: JSON.stringify({ error: [], result: { XETHZUSD: { a: ["1", "1", "1"], c: [rate, "0.1"] } } }),
  }),
  binance: (rate: string): Reply => ({ body: JSON.stringify({ symbol: "ETHUSDT", price: rate }) }),
  // A JSON number, as CoinGecko sends it: read from the text, never through a float.
  coingecko: (rate: string, updatedAt = Math.floor(clock / 1_000)): Reply => ({
    body: `{"ethereum":{"usd":${rate},"last_updated_at":${updatedAt}}}`,
  }),
};

function config(overrides: Record<string, unknown> = {}) {
  return ZRatesConfig.parse({
    staleAfterSeconds: 600,
    refreshSeconds: 60,
    timeoutMs: 400,
    currencies: ["USD"],
    breaker: { failureThreshold: 2, baseCooldownMs: 10_000, maxCooldownMs: 40_000 },
    sources: {
      coinbase: { kind: "coinbase", url: `${baseUrl}/coinbase/v2/prices/{base}-{quote}/spot` },
      kraken: { kind: "kraken", url: `${baseUrl}/kraken/0/public/Ticker?pair={base}{quote}` },
      binance: {
        kind: "binance",
        url: `${baseUrl}/binance/api/v3/ticker/price?symbol={base}{quote}`,
        quotes: { USD: "USDT" },
      },
      coingecko: {
        kind: "coingecko",
        url: `${baseUrl}/coingecko/simple/price?ids={base_lower}&vs_currencies={quote_lower}&include_last_updated_at=true`,
      },
    },
    assets: {
      ETH: { sources: { coinbase: "ETH", kraken: "ETH", binance: "ETH", coingecko: "ethereum" } },
      USDC: { peg: "USD" },
    },
    ...overrides,
  });
}

/** A fresh chain whose native coin has its own symbol, so each test has its own rate history. */
function deps(sources: RateSources) {
  asset += 1;
  const symbol = `ETH${asset}`;
  const base = config().assets.ETH;
  sources.config.assets[symbol] = base as NonNullable<typeof base>;
  const chain = testChain({
    nativeCurrency: { symbol, decimals: 18 },
    tokens: [{ symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 }],
  });
  return { db: database.db, chains: [chain], sources, symbol };
}

function sourcesWith(overrides: Record<string, unknown> = {}) {
  return new RateSources(config(overrides), { now: () => clock });
}

/**
 * The test database with each `exchange_rates` look-up (findFirst) passed through `hook`, numbered
 * from 1: it may delay the answer it is given or fail instead.
 */
function withLookups(hook: (lookup: number, found: unknown) => Promise<unknown>): Db {
  let lookups = 0;
  return database.db.$extends({
    query: {
      exchangeRate: {
        async findFirst({ args, query }) {
          lookups += 1;
          const lookup = lookups;
          return hook(lookup, await query(args));
        },
      },
    },
  }) as unknown as Db;
}

function answerAll(rates: Partial<Record<keyof typeof answer, string>>) {
  replies.clear();
  for (const [kind, rate] of Object.entries(rates))
    replies.set(kind, () => answer[kind as keyof typeof answer](rate));
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await database.drop();
});
beforeEach(() => {
  clock = Date.now();
  hits.clear();
  replies.clear();
});

describe("rate sources", () => {
  it("takes the exact median of the sources that answer and stores it with each answer", async () => {
    const d = deps(sourcesWith());
    answerAll({ coinbase: "3000.10", kraken: "3100.00000", binance: "2900.5", coingecko: "3001" });
    const rate = await getRate(d, { chain: "local", currency: "USD" });
    expect(rate).toMatchObject({ rate: "3000.55", source: "median:binance,coinbase,coingecko,kraken" });
    const stored = await database.db.exchangeRate.findMany({ where: { asset: d.symbol } });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.rate).toBe("3000.55");
    expect(stored[0]?.answers).toEqual(
      expect.arrayContaining([expect.objectContaining({ source: "kraken", rate: "3100" })]),
    );
    // Asked again within refreshSeconds: the stored rate, no source asked.
    hits.clear();
    expect((await getRate(d, { chain: "local", currency: "USD" })).rate).toBe("3000.55");
    expect(hits.size).toBe(0);
    // Three answers (one source down), one far off: left out, the median of the two that agree.
    clock += 61_000;
    answerAll({ coinbase: "3010", kraken: "2990", binance: "5000" });
    expect(await getRate(d, { chain: "local", currency: "USD" })).toMatchObject({
      rate: "3000",
      source: "median:coinbase,kraken",
    });
    const latest = await database.db.exchangeRate.findFirst({
      where: { asset: d.symbol },
      orderBy: { asOf: "desc" },
    });
    expect(latest?.answers).toEqual(
      expect.arrayContaining([expect.objectContaining({ source: "binance", rate: "5000" })]),
    );
  });

  it("two sources far apart give no rate rather than a wrong one", async () => {
    const d = deps(sourcesWith());
    answerAll({ coinbase: "3000", kraken: "4000" });
    await expect(getRate(d, { chain: "local", currency: "USD" })).rejects.toMatchObject({
      code: "rate_unavailable",
    });
    expect(await database.db.exchangeRate.count({ where: { asset: d.symbol } })).toBe(0);
    // Within maxDeviationPercent (10 %) of their mean, they are averaged.
    answerAll({ coinbase: "3000", kraken: "3500" });
    expect(await getRate(d, { chain: "local", currency: "USD" })).toMatchObject({ rate: "3250" });
  });

  it("concurrent requests for one rate share one round of requests to the sources", async () => {
    const d = deps(sourcesWith());
    replies.set("coinbase", () => ({ ...answer.coinbase("3000"), delayMs: 150 }));
    const rates = await Promise.all(
      Array.from({ length: 8 }, () => getRate(d, { chain: "local", currency: "USD" })),
    );
    expect(new Set(rates.map((rate) => rate.rate))).toEqual(new Set(["3000"]));
    expect(hits.get("coinbase")).toBe(1);
    expect(await database.db.exchangeRate.count({ where: { asset: d.symbol } })).toBe(1);
  });

  it("a request that looked for a recent rate before a round stored it does not ask the sources again", async () => {
    // Every look-up but the first answers late: after the first request's round has asked the
    // sources, stored the rate and ended (what a busy database does to a request now and then).
    const lateDb = withLookups(async (lookup, found) => {
      if (lookup > 1) await new Promise((resolve) => setTimeout(resolve, 400));
      return found;
    });
    const d = { ...deps(sourcesWith()), db: lateDb };
    replies.set("coinbase", () => ({ ...answer.coinbase("3000"), delayMs: 150 }));
    const rates = await Promise.all(
      Array.from({ length: 2 }, () => getRate(d, { chain: "local", currency: "USD" })),
    );
    expect(rates.map((rate) => rate.rate)).toEqual(["3000", "3000"]);
    expect(hits.get("coinbase")).toBe(1);
    expect(await database.db.exchangeRate.count({ where: { asset: d.symbol } })).toBe(1);
  });

  it("a round that failed is not kept: the requests in it get its error, the next one starts afresh", async () => {
    // The first look-up fails (a database restart): the round fails before asking any source.
    const flakyDb = withLookups(async (lookup, found) => {
      if (lookup === 1) throw new Error("connection terminated");
      return found;
    });
    const d = { ...deps(sourcesWith()), db: flakyDb };
    answerAll({ coinbase: "3000" });
    const failed = await Promise.allSettled(
      Array.from({ length: 3 }, () => getRate(d, { chain: "local", currency: "USD" })),
    );
    expect(failed.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(hits.get("coinbase")).toBeUndefined();
    expect((await getRate(d, { chain: "local", currency: "USD" })).rate).toBe("3000");
    expect(hits.get("coinbase")).toBe(1);
    expect(await database.db.exchangeRate.count({ where: { asset: d.symbol } })).toBe(1);
  });

  it("a source that does not answer in time is dropped; the others still give the rate", async () => {
    const d = deps(sourcesWith());
    answerAll({ coinbase: "3000", kraken: "3002" });
    replies.set("binance", () => ({ hang: true }));
    const started = Date.now();
    const rate = await getRate(d, { chain: "local", currency: "USD" });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(rate).toMatchObject({ rate: "3001", source: "median:coinbase,kraken" });
    const binance = d.sources.statuses().find((status) => status.source === "binance");
    expect(binance).toMatchObject({ state: "closed", consecutive_failures: 1 });
    expect(binance?.last_error).toMatch(/timeout|abort/i);
  });

  it("a stale answer is not used", async () => {
    const d = deps(sourcesWith());
    replies.set("coingecko", () => answer.coingecko("9999", Math.floor(clock / 1_000) - 3_600));
    replies.set("coinbase", () => answer.coinbase("3000"));
    expect(await getRate(d, { chain: "local", currency: "USD" })).toMatchObject({
      rate: "3000",
      source: "coinbase",
    });
    expect(hits.get("coingecko")).toBe(1);
  });

  it("a source's own timestamp dates the rate; the fetch time decides when to ask again", async () => {
    const d = deps(sourcesWith());
    const seconds = Math.floor(clock / 1_000);
    replies.set("coingecko", () => answer.coingecko("3000", seconds - 90));
    const first = await getRate(d, { chain: "local", currency: "USD" });
    expect(first).toMatchObject({
      rate: "3000",
      source: "coingecko",
      asOf: new Date((seconds - 90) * 1_000),
    });
    // 90 s old by its own clock, fetched just now: not fetched again within refreshSeconds.
    expect((await getRate(d, { chain: "local", currency: "USD" })).rate).toBe("3000");
    expect(hits.get("coingecko")).toBe(1);
    // A source clock ahead of ours never dates a rate in the future.
    clock += 61_000;
    replies.set("coingecko", () => answer.coingecko("3001", Math.floor(clock / 1_000) + 3_600));
    const ahead = await getRate(d, { chain: "local", currency: "USD" });
    expect(ahead.rate).toBe("3001");
    expect(ahead.asOf.getTime()).toBeLessThanOrEqual(clock);
  });

  it("a source failing repeatedly opens its breaker, is left alone for the cool-down, then probed (half-open)", async () => {
    const sources = sourcesWith();
    const d = deps(sources);
    answerAll({ coinbase: "3000" });
    replies.set("kraken", () => ({ status: 503, body: "busy" }));
    for (let round = 0; round < 2; round++) {
      await getRate(d, { chain: "local", currency: "USD" });
      clock += 61_000;
    }
    expect(hits.get("kraken")).toBe(2);
    expect(sources.statuses().find((status) => status.source === "kraken")).toMatchObject({
      state: "open",
      last_error: "HTTP 503",
    });
    // Opened afresh (two failures at the same moment): not asked during its 10 s cool-down.
    const opened = sourcesWith();
    const d2 = deps(opened);
    for (let round = 0; round < 2; round++)
      await refreshRates({ db: database.db, chains: d2.chains, sources: opened });
    hits.clear();
    clock += 5_000;
    await refreshRates({ db: database.db, chains: d2.chains, sources: opened });
    expect(hits.get("kraken")).toBeUndefined();
    expect(hits.get("coinbase")).toBe(1);
    // After the cool-down one probe goes through; it fails again: open with a doubled cool-down.
    clock += 6_000;
    await refreshRates({ db: database.db, chains: d2.chains, sources: opened });
    expect(hits.get("kraken")).toBe(1);
    const reopened = opened.statuses().find((status) => status.source === "kraken");
    // /api/health shows the breaker (never the URL).
    const health = await getHealth({ db: database.db, chains: d2.chains, rateSources: opened });
    expect(health.rate_sources.find((status) => status.source === "kraken")).toEqual(reopened);
    expect(JSON.stringify(health.rate_sources)).not.toContain("127.0.0.1");
    expect(reopened?.state).toBe("open");
    expect(new Date(reopened?.retry_at ?? 0).getTime()).toBe(clock + 20_000);
    // The source recovers: the next probe closes the breaker and its answer counts again.
    clock += 20_000;
    replies.set("kraken", () => answer.kraken("3010"));
    const result = await refreshRates({ db: database.db, chains: d2.chains, sources: opened });
    expect(result.refreshed).toEqual([`${d2.symbol}/USD`]);
    expect(opened.statuses().find((status) => status.source === "kraken")?.state).toBe("closed");
    const latest = await database.db.exchangeRate.findFirst({
      where: { asset: d2.symbol },
      orderBy: { asOf: "desc" },
    });
    expect(latest).toMatchObject({ rate: "3005", source: "median:coinbase,kraken" });
  });

  it("every source down: the last stored rate while it is younger than the staleness limit, then 503", async () => {
    const d = deps(sourcesWith());
    answerAll({ coinbase: "3000", kraken: "3000" });
    await getRate(d, { chain: "local", currency: "USD" });
    replies.clear();
    for (const kind of ["coinbase", "kraken", "binance", "coingecko"])
      replies.set(kind, () => ({ status: 500 }));
    clock += 300_000;
    expect(await getRate(d, { chain: "local", currency: "USD" })).toMatchObject({
      rate: "3000",
      source: "median:coinbase,kraken",
    });
    clock += 301_000;
    await expect(getRate(d, { chain: "local", currency: "USD" })).rejects.toMatchObject({
      code: "rate_unavailable",
      status: 503,
    });
    // A pegged stablecoin needs no source at all: it keeps working.
    hits.clear();
    expect(await getRate(d, { chain: "local", token: "USDC", currency: "USD" })).toMatchObject({
      rate: "1",
      source: "peg",
    });
    expect(hits.size).toBe(0);
  });

  it("a past moment gets the stored rate that held then (within the staleness limit), never a later one", async () => {
    const d = deps(sourcesWith());
    const t0 = clock - 3_600_000;
    for (const [offset, rate] of [
      [0, "2900"],
      [60_000, "2950"],
      [120_000, "3000"],
    ] as const)
      await recordRate(database.db, {
        asset: d.symbol,
        currency: "USD",
        rate,
        source: "coinbase",
        asOf: new Date(t0 + offset),
        answers: [],
      });
    const at = (offset: number) => getRate(d, { chain: "local", currency: "USD", at: new Date(t0 + offset) });
    expect((await at(0)).rate).toBe("2900");
    expect((await at(59_999)).rate).toBe("2900");
    expect(await at(60_000)).toMatchObject({ rate: "2950", asOf: new Date(t0 + 60_000) });
    expect((await at(500_000)).rate).toBe("3000");
    await expect(at(-1)).rejects.toMatchObject({ code: "rate_unavailable" });
    await expect(at(120_000 + 600_001)).rejects.toMatchObject({ code: "rate_unavailable" });
    expect(hits.size).toBe(0);
  });

  it("the rates job fetches only sourced assets; fixed and pegged ones need nothing", async () => {
    const sources = sourcesWith({ assets: { ETH: { fixed: { USD: "3000" } }, USDC: { peg: "USD" } } });
    const chain = testChain({
      tokens: [{ symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 }],
    });
    expect(await refreshRates({ db: database.db, chains: [chain], sources })).toEqual({
      refreshed: [],
      failed: [],
    });
    expect(hits.size).toBe(0);
  });
});

describe("decimalFromNumberLiteral", () => {
  it.each([
    ["3150.25", "3150.25"],
    ["3.15025e3", "3150.25"],
    ["1E-7", "0.0000001"],
    ["0.000123", "0.000123"],
    ["42", "42"],
    ["1.5e+2", "150"],
  ])("%s is %s", (literal, decimal) => {
    expect(decimalFromNumberLiteral(literal)).toBe(decimal);
  });
  it.each(["-1", "0", "1e", "abc", "1.2.3"])("refuses %s", (literal) => {
    expect(() => decimalFromNumberLiteral(literal)).toThrow();
  });
});
