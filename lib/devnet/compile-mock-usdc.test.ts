import { readFileSync } from "node:fs";
import { keccak256, stringToBytes } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { compileMockUsdc, MOCK_USDC_SOURCE } from "./compile-mock-usdc";
import { type MockUsdcArtifact, mockUsdcAbi, mockUsdcArtifact } from "./mock-usdc";

const staleHint =
  "the committed artifact is stale: run `npx tsx scripts/compile-contracts.ts` and commit its output";

describe("compileMockUsdc", () => {
  const warnings: string[] = [];
  let fresh: MockUsdcArtifact;
  beforeAll(() => {
    fresh = compileMockUsdc({ onWarning: (message) => warnings.push(message) });
  });

  it("compiles the contract without warnings and hashes its source", () => {
    expect(warnings).toEqual([]);
    const source = readFileSync(new URL(`../../${MOCK_USDC_SOURCE}`, import.meta.url), "utf8");
    expect(fresh.sourceHash).toBe(keccak256(stringToBytes(source)));
  });

  it("equals the committed artifact and generated ABI, so neither drifts from the source", () => {
    expect(mockUsdcArtifact.sourceHash, staleHint).toBe(fresh.sourceHash);
    expect(mockUsdcArtifact.solcVersion, staleHint).toBe(fresh.solcVersion);
    expect(mockUsdcArtifact.abi, staleHint).toEqual(fresh.abi);
    expect(mockUsdcArtifact.bytecode, staleHint).toBe(fresh.bytecode);
    expect(mockUsdcArtifact.deployedBytecode, staleHint).toBe(fresh.deployedBytecode);
    expect(mockUsdcAbi, staleHint).toEqual(fresh.abi);
  });
});
