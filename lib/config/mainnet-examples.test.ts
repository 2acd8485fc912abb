// chains.yaml's commented mainnet examples stay valid: uncommented, they parse with ZChainsConfig,
// with checksummed addresses and the decimals the real contracts have.

import { readFileSync } from "node:fs";
import { getAddress } from "viem";
import { describe, expect, it } from "vitest";
import { parseChainsConfig } from "./chains";
import { loadRatesConfig, rateAssetOf } from "./rates";

const BEGIN = "# ─── Mainnet examples (begin)";
const END = "# ─── Mainnet examples (end)";

/**
 * The block between the markers with its YAML lines uncommented: `  # - name:` and `  #   key:`
 * lose their `# `; prose lines (`  # Token caveats: …`) are dropped.
 */
function uncommentMainnetExamples(text: string): string {
  const lines = text.split("\n");
  const begin = lines.findIndex((line) => line.includes(BEGIN));
  const end = lines.findIndex((line) => line.includes(END));
  if (begin < 0 || end < begin) throw new Error("chains.yaml has no mainnet examples block");
  const yaml = lines
    .slice(begin + 1, end)
    .map((line) => /^(\s*)# ((?:- |\s).*)$/.exec(line))
    .flatMap((match) => (match ? [`${match[1]}${match[2]}`] : []));
  return `chains:\n${yaml.join("\n")}\n`;
}

const rpcEnv = {
  ETHEREUM_RPC_URL: "https://eth.example",
  BASE_RPC_URL: "https://base.example",
  ARBITRUM_RPC_URL: "https://arb.example",
  POLYGON_RPC_URL: "https://polygon.example",
  BSC_RPC_URL: "https://bsc.example",
};

describe("chains.yaml mainnet examples", () => {
  const text = readFileSync("chains.yaml", "utf8");
  const config = parseChainsConfig(uncommentMainnetExamples(text), "chains.yaml (mainnet examples)", rpcEnv);
  const chain = (name: string) => config.chains.find((candidate) => candidate.name === name);

  it("lists Ethereum, Base, Arbitrum, Polygon and BSC with their chain ids and fee models", () => {
    expect(config.chains.map((c) => [c.name, c.chainId, c.feeModel])).toEqual([
      ["ethereum", 1, "eip1559"],
      ["base", 8453, "op-stack"],
      ["arbitrum", 42161, "arbitrum"],
      ["polygon", 137, "eip1559"],
      ["bsc", 56, "legacy"],
    ]);
    expect(chain("ethereum")?.rpcUrls).toEqual(["https://eth.example"]);
    for (const c of config.chains) expect(c.confirmations).toBeGreaterThanOrEqual(10);
  });

  it("has the real USDC/USDT addresses, written checksummed, with the contracts' decimals", () => {
    const tokens = config.chains.flatMap((c) =>
      c.tokens.map((t) => `${c.name} ${t.symbol} ${t.address} ${t.decimals}`),
    );
    expect(tokens).toEqual([
      "ethereum USDC 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 6",
      "ethereum USDT 0xdAC17F958D2ee523a2206206994597C13D831ec7 6",
      "base USDC 0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913 6",
      "arbitrum USDC 0xaf88d065e77c8cC2239327C5EDb3A432268e5831 6",
      "arbitrum USDT 0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9 6",
      "polygon USDC 0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359 6",
      "polygon USDT 0xc2132D05D31c914a87C6611C10748AEb04B58e8F 6",
      "bsc USDT 0x55d398326f99059fF775485246999027B3197955 18",
      "bsc USDC 0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d 18",
    ]);
    // As written in the file (the parser checksums; a typo in the case would be a typo in the hex).
    for (const match of uncommentMainnetExamples(text).matchAll(/address: "(0x[0-9a-fA-F]{40})"/g))
      expect(getAddress(match[1] ?? "")).toBe(match[1]);
  });

  it("every coin of the examples has a rate in rates.yaml: stablecoins pegged to USD, the others from at least two sources", () => {
    const rates = loadRatesConfig("rates.yaml");
    for (const c of config.chains)
      for (const symbol of [c.nativeCurrency.symbol, ...c.tokens.map((t) => t.symbol)]) {
        const asset = rateAssetOf(rates, c.name, symbol);
        if (symbol.startsWith("USD")) expect(asset?.peg, `${c.name} ${symbol}`).toBe("USD");
        else
          expect(Object.keys(asset?.sources ?? {}).length, `${c.name} ${symbol}`).toBeGreaterThanOrEqual(2);
      }
  });

  it("the transactions policy example parses", () => {
    expect(chain("ethereum")?.transactions).toMatchObject({ stuckAfterSeconds: 180, maxReplacements: 5 });
  });
});
