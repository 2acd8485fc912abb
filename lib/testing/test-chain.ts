import { inject } from "vitest";
import { type TChain, ZChain } from "../config/chains";

/** The `local` chain pointed at the test run's Anvil node (chain 31337, instant mining). */
export function testChain(overrides: Partial<TChain> = {}): TChain {
  return ZChain.parse({
    name: "local",
    chainId: 31337,
    rpcUrls: [inject("anvilRpcUrl")],
    confirmations: 2,
    blockTime: 1,
    nativeCurrency: { symbol: "ETH", decimals: 18 },
    explorerUrl: null,
    tokens: [],
    ...overrides,
  });
}
