// Kept apart from mock-tokens.ts (which imports the compiled artifacts) so that the compile script
// can read it before any artifact exists.

/** The test tokens: contract name → source under `contracts/` (its solc input key). */
export const MOCK_TOKEN_SOURCES = {
  /** USDT-like: no return value from transfer/transferFrom/approve, pause, blacklist, bare reverts. */
  MockUSDT: "contracts/MockUSDT.sol",
  /** Keeps 1 % of every transfer for a fee collector. */
  MockFeeToken: "contracts/MockFeeToken.sol",
  /** A plain ERC-20 with 18 decimals, like BSC's USDT/USDC. */
  MockStablecoin18: "contracts/MockStablecoin18.sol",
} as const;

export type MockTokenName = keyof typeof MOCK_TOKEN_SOURCES;
