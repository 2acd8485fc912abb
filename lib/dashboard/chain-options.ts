import { networkName } from "../chains/network-name";
import type { TChain } from "../config/chains";

export type ChainOption = { name: string; chainId: number; tokens: string[] };

/** The configured chains with their token symbols (native coin first) for the dashboard's selects. */
export function chainOptions(chains: TChain[]): ChainOption[] {
  return chains.map((chain) => ({
    name: chain.name,
    chainId: chain.chainId,
    tokens: [chain.nativeCurrency.symbol, ...chain.tokens.map((token) => token.symbol)],
  }));
}

/** Every token symbol of the configured chains, once each (for a token filter). */
export function allTokenSymbols(chains: TChain[]): string[] {
  return [...new Set(chainOptions(chains).flatMap((chain) => chain.tokens))];
}

/** The chain's explorer base URL from chains.yaml, or null. */
export function explorerUrlOf(chains: TChain[], chainName: string): string | null {
  return chains.find((chain) => chain.name === chainName)?.explorerUrl ?? null;
}

/** "Local devnet (local, chain 31337)": the friendly name with the API id and chain id, for summaries. */
export function networkLabel(chains: TChain[], chainName: string): string {
  const chain = chains.find((candidate) => candidate.name === chainName);
  return chain ? `${networkName(chain)} (${chain.name}, chain ${chain.chainId})` : chainName;
}
