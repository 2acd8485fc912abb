// Friendly network names for people (checkout, dashboard): chains.yaml names are API ids
// ("local", "base-sepolia"). Client-safe: no configuration or chain access here.

const KNOWN_NETWORKS: Record<number, string> = {
  1: "Ethereum",
  10: "OP Mainnet",
  56: "BNB Smart Chain",
  137: "Polygon",
  8453: "Base",
  42161: "Arbitrum One",
  43114: "Avalanche C-Chain",
  11155111: "Ethereum Sepolia (testnet)",
  84532: "Base Sepolia (testnet)",
  11155420: "OP Sepolia (testnet)",
  421614: "Arbitrum Sepolia (testnet)",
  80002: "Polygon Amoy (testnet)",
  31337: "Local devnet",
};

/** "Base" for chain 8453; for an unknown chain id, the chains.yaml name in words ("my-chain" → "My chain"). */
export function networkName(chain: { name: string; chainId: number }): string {
  const known = KNOWN_NETWORKS[chain.chainId];
  if (known) return known;
  const words = chain.name.replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
