import type { Address } from "viem";
import type { ContractArtifact } from "./compile-mock-usdc";
import type { MockTokenName } from "./mock-token-sources";
import committedArtifacts from "./mock-tokens.artifact.json" with { type: "json" };
import { mockFeeTokenAbi, mockStablecoin18Abi, mockUsdtAbi } from "./mock-tokens-abi";

// Tokens that do not follow ERC-20 to the letter, as merchants meet them on mainnets (issue 18).
// Tests place their runtime code with `anvil_setCode`; `npm start`'s devnet does not use them.

export { mockFeeTokenAbi, mockStablecoin18Abi, mockUsdtAbi };

/** Where MockFeeToken sends its 1 % fee (`FEE_COLLECTOR` in the contract). */
export const MOCK_FEE_COLLECTOR: Address = "0xfEE0000000000000000000000000000000000fee";
/** MockFeeToken's fee: 100 basis points of each transfer, rounded down. */
export const MOCK_FEE_BASIS_POINTS = 100n;

/** The committed compilations (a test keeps them equal to the sources). */
export const mockTokenArtifacts = committedArtifacts as Record<MockTokenName, ContractArtifact>;
