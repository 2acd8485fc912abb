import { describe, expect, it } from "vitest";
import { compileContract } from "./compile-mock-usdc";
import {
  MOCK_GAS_PRICE_ORACLE_CONTRACT,
  MOCK_GAS_PRICE_ORACLE_SOURCE,
  mockGasPriceOracleArtifact,
} from "./gas-price-oracle";

describe("mock GasPriceOracle artifact", () => {
  it("equals a fresh compilation of its source, without warnings", () => {
    const warnings: string[] = [];
    const fresh = compileContract({
      sourcePath: MOCK_GAS_PRICE_ORACLE_SOURCE,
      contractName: MOCK_GAS_PRICE_ORACLE_CONTRACT,
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([]);
    expect(
      mockGasPriceOracleArtifact,
      "stale: run `npx tsx scripts/compile-contracts.ts` and commit its output",
    ).toEqual(fresh);
  });
});
