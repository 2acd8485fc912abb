import { readFileSync } from "node:fs";
import { keccak256, stringToBytes } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { compileContract, compileMockUsdc, MOCK_USDC_SOURCE } from "./compile-mock-usdc";
import { MOCK_TOKEN_SOURCES, type MockTokenName } from "./mock-token-sources";
import { mockFeeTokenAbi, mockStablecoin18Abi, mockTokenArtifacts, mockUsdtAbi } from "./mock-tokens";
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

describe("the mock tokens (USDT-like, fee-on-transfer, 18 decimals)", () => {
  it.each(Object.entries(MOCK_TOKEN_SOURCES) as [MockTokenName, string][])(
    "%s compiles without warnings and equals its committed artifact and ABI",
    (contractName, sourcePath) => {
      const warnings: string[] = [];
      const fresh = compileContract({ sourcePath, contractName, onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([]);
      const committed = mockTokenArtifacts[contractName];
      expect(committed.sourceHash, staleHint).toBe(fresh.sourceHash);
      expect(committed.abi, staleHint).toEqual(fresh.abi);
      expect(committed.bytecode, staleHint).toBe(fresh.bytecode);
      expect(committed.deployedBytecode, staleHint).toBe(fresh.deployedBytecode);
      const generated = {
        MockUSDT: mockUsdtAbi,
        MockFeeToken: mockFeeTokenAbi,
        MockStablecoin18: mockStablecoin18Abi,
      };
      expect(generated[contractName], staleHint).toEqual(fresh.abi);
    },
  );
});
