import { describe, expect, it } from "vitest";
import { ConfigError } from "./env";
import { loadRatesConfig, parseRatesConfig, rateAssetOf } from "./rates";

describe("rates.yaml", () => {
  it("the repository's file: real sources for real chains, fixed ETH and pegged USDC on the devnet", () => {
    const config = loadRatesConfig("rates.yaml");
    expect(Object.keys(config.sources).length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(config.assets.ETH?.sources ?? {}).length).toBeGreaterThanOrEqual(2);
    expect(rateAssetOf(config, "local", "eth")).toMatchObject({ fixed: { USD: "3000" }, sources: {} });
    expect(rateAssetOf(config, "local", "USDC")?.peg).toBe("USD");
    expect(rateAssetOf(config, "ethereum", "ETH")?.sources).toMatchObject({ coinbase: "ETH" });
    expect(rateAssetOf(config, "ethereum", "DAI")).toBeUndefined();
  });

  it("an empty file is valid (defaults, no rates)", () => {
    expect(parseRatesConfig("", "empty.yaml")).toMatchObject({
      staleAfterSeconds: 600,
      refreshSeconds: 60,
      sources: {},
    });
  });

  it.each([
    ["assets: { ETH: { fixed: { USD: 3000.5 } } }", "assets.ETH.fixed.USD"],
    ["assets: { ETH: { fixed: { USD: '3e3' } } }", "assets.ETH.fixed.USD"],
    ["assets: { ETH: { fixed: { USD: '0' } } }", "assets.ETH.fixed.USD"],
    ["assets: { ETH: { fixed: { XYZ: '1' } } }", "assets.ETH.fixed"],
    ["assets: { USDC: { peg: usd } }", "assets.USDC.peg"],
    ["assets: { ETH: {} }", "give a peg, fixed rates or sources"],
    ["assets: { ETH: { sources: { nowhere: ETH } } }", "unknown source nowhere"],
    ["sources: { x: { kind: bitstamp } }", "sources.x.kind"],
    ["sources: { x: { kind: coinbase, url: 'ftp://x/{base}' } }", "sources.x.url"],
    ["staleAfterSeconds: 1", "staleAfterSeconds"],
    ["timeoutMs: 1.5", "timeoutMs"],
    ["extra: 1", "extra"],
    ["chains: { local: { ETH: { sources: { nope: ETH } } } }", "chains.local.ETH.sources.nope"],
    ["a: [", "invalid YAML"],
  ])("refuses %s naming %s", (text, where) => {
    expect(() => parseRatesConfig(text, "bad.yaml")).toThrow(ConfigError);
    expect(() => parseRatesConfig(text, "bad.yaml")).toThrow(where);
  });

  it("a missing file is a ConfigError naming it", () => {
    expect(() => loadRatesConfig("/nonexistent/rates.yaml")).toThrow(
      /rates.yaml: cannot read the rates file/,
    );
  });
});
