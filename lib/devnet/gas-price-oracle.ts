import type { ContractArtifact } from "./compile-mock-usdc";
import committedArtifact from "./mock-gas-price-oracle.artifact.json" with { type: "json" };

/** The source's key in the compiler input (part of the metadata hash: never vary it). */
export const MOCK_GAS_PRICE_ORACLE_SOURCE = "contracts/MockGasPriceOracle.sol";
export const MOCK_GAS_PRICE_ORACLE_CONTRACT = "MockGasPriceOracle";

/** The committed compilation of the mock OP-stack GasPriceOracle (a test keeps it equal to the source). */
export const mockGasPriceOracleArtifact = committedArtifact as ContractArtifact;
