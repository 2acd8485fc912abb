import type { Abi, Address, Hex } from "viem";
import committedArtifact from "./mock-usdc.artifact.json" with { type: "json" };
import { mockUsdcAbi as generatedMockUsdcAbi } from "./mock-usdc-abi";

/**
 * The contract's ABI with literal types, so viem checks function names and arguments. Generated
 * into mock-usdc-abi.ts by the compile script; callers import it from here, next to the address.
 */
export const mockUsdcAbi = generatedMockUsdcAbi;

/**
 * Where the local chain's USDC lives (chains.yaml): the address Anvil's account 0 would deploy its
 * first contract to, so wallets and explorers that assume that layout find it too.
 */
export const MOCK_USDC_ADDRESS: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** What `scripts/compile-contracts.ts` writes to `mock-usdc.artifact.json`. */
export type MockUsdcArtifact = {
  contractName: "MockUSDC";
  abi: Abi;
  /** Creation code (constructor included). */
  bytecode: Hex;
  /** Runtime code: what `anvil_setCode` places and `eth_getCode` answers. */
  deployedBytecode: Hex;
  solcVersion: string;
  /** keccak256 of `contracts/MockUSDC.sol`, as in the solc metadata. */
  sourceHash: Hex;
};

/** The committed compilation of `contracts/MockUSDC.sol` (a test keeps it equal to the source). */
export const mockUsdcArtifact = committedArtifact as MockUsdcArtifact;
