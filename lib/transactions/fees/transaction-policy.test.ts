// chains.yaml `feeModel` and `transactions`: validated at boot, given back in exact units.
import { describe, expect, it } from "vitest";
import { parseChainsConfig } from "../../config/chains";
import { ConfigError } from "../../config/env";
import { transactionPolicyOf } from "./transaction-policy";

function chainsYaml(extra: string, blockTime = "1") {
  return `
chains:
  - name: local
    chainId: 31337
    rpcUrls: ["http://127.0.0.1:8545"]
    confirmations: 2
    blockTime: ${blockTime}
    nativeCurrency: { symbol: ETH, decimals: 18 }
${extra}`;
}

function parseChain(extra: string, blockTime?: string) {
  const chain = parseChainsConfig(chainsYaml(extra, blockTime), "chains.yaml", {}).chains[0];
  if (!chain) throw new Error("no chain");
  return chain;
}

describe("chains.yaml transaction policy", () => {
  it("defaults: stuck after max(60 s, 30 blocks), 12.5 % bump, 5 replacements, no ceiling or cap", () => {
    const chain = parseChain("");
    expect(chain.feeModel).toBeUndefined();
    expect(transactionPolicyOf(chain)).toEqual({
      stuckAfterSeconds: 60,
      bumpBasisPoints: 1250n,
      maxReplacements: 5,
      maxFeePerGas: null,
      maxPriorityFeePerGas: null,
    });
    expect(transactionPolicyOf(parseChain("", "12")).stuckAfterSeconds).toBe(360);
    expect(transactionPolicyOf(parseChain("", "0.25")).stuckAfterSeconds).toBe(60);
  });

  it("reads the fee model and converts gwei and percentages exactly", () => {
    const chain = parseChain(`    feeModel: op-stack
    transactions:
      stuckAfterSeconds: 90
      bumpPercent: 12.75
      maxReplacements: 3
      maxFeePerGasGwei: "0.000000001"
      maxPriorityFeePerGasGwei: "0.000000001"
`);
    expect(chain.feeModel).toBe("op-stack");
    expect(transactionPolicyOf(chain)).toEqual({
      stuckAfterSeconds: 90,
      bumpBasisPoints: 1275n,
      maxReplacements: 3,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
    });
    const big = parseChain(`    transactions:
      bumpPercent: "25"
      maxFeePerGasGwei: "123456789.123456789"
      maxPriorityFeePerGasGwei: 2
`);
    expect(transactionPolicyOf(big)).toMatchObject({
      bumpBasisPoints: 2500n,
      maxFeePerGas: 123456789123456789n,
      maxPriorityFeePerGas: 2_000_000_000n,
    });
  });

  it.each([
    ["feeModel: zksync", "feeModel"],
    ["transactions: { bumpPercent: 10 }", "transactions.bumpPercent"],
    ["transactions: { bumpPercent: 12.499 }", "transactions.bumpPercent"],
    ["transactions: { maxFeePerGasGwei: 1.5 }", "transactions.maxFeePerGasGwei"],
    ['transactions: { maxFeePerGasGwei: "1.0000000001" }', "transactions.maxFeePerGasGwei"],
    ['transactions: { maxFeePerGasGwei: "0" }', "transactions.maxFeePerGasGwei"],
    ['transactions: { maxFeePerGasGwei: "-1" }', "transactions.maxFeePerGasGwei"],
    ['transactions: { maxFeePerGasGwei: "1", maxPriorityFeePerGasGwei: "1.5" }', "maxPriorityFeePerGasGwei"],
    ["transactions: { maxReplacements: -1 }", "transactions.maxReplacements"],
    ["transactions: { stuckAfterSeconds: 0 }", "transactions.stuckAfterSeconds"],
    ["transactions: { retries: 3 }", "transactions"],
  ])("refuses %s, naming %s", (line, path) => {
    expect(() => parseChain(`    ${line}\n`)).toThrow(ConfigError);
    expect(() => parseChain(`    ${line}\n`)).toThrow(path);
  });
});
