// getRate on the repository's rates.yaml (the devnet: fixed ETH, pegged mock USDC): no source is
// ever asked, so it works offline; and the rules for pegs and unknown assets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRatesConfig, parseRatesConfig } from "../config/rates";
import { AppError } from "../errors";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { getRate, quoteRates } from "./get-rate";
import { RateSources } from "./rate-sources";

const USDC = { symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const, decimals: 6 };
let database: TestDatabase;
const offline: typeof fetch = async () => {
  throw new Error("no source may be asked on the devnet");
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

function deps(sources = new RateSources(loadRatesConfig("rates.yaml"), { fetch: offline })) {
  return { db: database.db, chains: [testChain({ tokens: [USDC] })], sources };
}

describe("getRate on the devnet configuration", () => {
  it("answers the fixed ETH rate and the USDC peg without asking any source", async () => {
    const eth = await getRate(deps(), { chain: "local", currency: "USD" });
    expect(eth).toMatchObject({
      rate: "3000",
      source: "fixed",
      symbol: "ETH",
      decimals: 18,
      tokenAddress: null,
    });
    const usdc = await getRate(deps(), { chain: "local", token: "usdc", currency: "USD" });
    expect(usdc).toMatchObject({ rate: "1", source: "peg", symbol: "USDC", decimals: 6 });
    expect(usdc.tokenAddress).toBe(USDC.address);
    const euro = await getRate(deps(), { chain: "local", token: "USDC", currency: "EUR" });
    expect(euro).toMatchObject({ rate: "0.92", source: "fixed" });
  });

  it("answers the same fixed rate for a past moment", async () => {
    const at = new Date(Date.now() - 86_400_000);
    const eth = await getRate(deps(), { chain: "local", token: "native", currency: "USD", at });
    expect(eth).toMatchObject({ rate: "3000", source: "fixed" });
    expect(eth.asOf).toEqual(at);
  });

  it("refuses an unknown chain or token with 422 and an unconfigured rate with 503 rate_unavailable", async () => {
    await expect(getRate(deps(), { chain: "nope", currency: "USD" })).rejects.toMatchObject({
      code: "validation_failed",
    });
    await expect(getRate(deps(), { chain: "local", token: "DAI", currency: "USD" })).rejects.toMatchObject({
      code: "validation_failed",
    });
    const error = await getRate(deps(), { chain: "local", currency: "KWD" }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "rate_unavailable", status: 503 });
  });

  it("quoteRates answers each asset on its own: an unavailable one does not fail the others", async () => {
    const quotes = await quoteRates(deps(), {
      currency: "KWD",
      assets: [{ chain: "local", token: "USDC" }, { chain: "local" }],
    });
    expect(quotes[0]).toMatchObject({ ok: false, chain: "local", symbol: "USDC" });
    expect(quotes[1]).toMatchObject({ ok: false, chain: "local", symbol: "ETH" });
    const pegged = parseRatesConfig(
      "assets: { USDC: { peg: USD }, ETH: { fixed: { USD: '2500.5' } } }",
      "inline.yaml",
    );
    const usd = await quoteRates(deps(new RateSources(pegged, { fetch: offline })), {
      currency: "USD",
      assets: [{ chain: "local", token: "USDC" }, { chain: "local" }],
    });
    expect(usd.map((quote) => quote.ok && quote.rate)).toEqual(["1", "2500.5"]);
  });

  it("a pegged stablecoin in another currency goes through its peg currency's own rate", async () => {
    const config = parseRatesConfig(
      "assets: { USDC: { peg: USD }, USD: { fixed: { EUR: '0.9' } } }",
      "inline.yaml",
    );
    const sources = new RateSources(config, { fetch: offline });
    expect(await getRate(deps(sources), { chain: "local", token: "USDC", currency: "EUR" })).toMatchObject({
      rate: "0.9",
      source: "peg:USD×fixed",
    });
    await expect(
      getRate(deps(sources), { chain: "local", token: "USDC", currency: "GBP" }),
    ).rejects.toMatchObject({ code: "rate_unavailable" });
  });
});
