import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes `<dir>/<name>` holding one real chain (Base, chain id 8453 — no devnet whatever its RPC
 * URL), which switches the production guards on; returns its path for CHAINS_FILE.
 */
export function writeRealChainsFile(dir: string, options: { rpcUrl?: string; name?: string } = {}): string {
  const file = join(dir, options.name ?? "real-chains.yaml");
  const rpcUrl = options.rpcUrl ?? "https://mainnet.base.org";
  writeFileSync(
    file,
    `chains:\n  - { name: base, chainId: 8453, rpcUrls: ["${rpcUrl}"], confirmations: 5, blockTime: 2, nativeCurrency: { symbol: ETH } }\n`,
  );
  return file;
}
