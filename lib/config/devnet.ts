import type { TChain } from "./chains";

/** Chain ids of local development nodes (Anvil and Hardhat use 31337, Ganache and geth --dev 1337). */
export const DEVNET_CHAIN_IDS: readonly number[] = [31337, 1337];

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** A local development chain: a devnet chain id and every RPC URL on this machine's loopback. */
export function isLocalDevnet(chain: Pick<TChain, "chainId" | "rpcUrls">): boolean {
  return DEVNET_CHAIN_IDS.includes(chain.chainId) && chain.rpcUrls.every(isLoopbackUrl);
}

/**
 * What decides "devnet" is the chains, not the database (DESIGN.md, Runtime modes): development
 * allowances (the development mnemonic and secret, the demo merchant, loopback webhook targets,
 * open sign-up, a zero money-routing delay) exist only while every configured chain is a local
 * devnet. One real chain switches every production guard on.
 */
export function isDevnetOnly(chains: readonly Pick<TChain, "chainId" | "rpcUrls">[]): boolean {
  return chains.length > 0 && chains.every(isLocalDevnet);
}
