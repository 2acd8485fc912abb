import type { TChain } from "./chains";
import { isDevnetOnly } from "./devnet";
import { ConfigError, env } from "./env";

/** How long a loosening money-routing change waits by default with a real chain: 24 hours. */
export const DEFAULT_MONEY_ROUTING_DELAY_SECONDS = 86_400;

/**
 * Seconds a loosening money-routing change waits before it takes effect (lib/settlement/
 * change-money-routing.ts): `MONEY_ROUTING_DELAY_SECONDS`, else 24 h, else 0 when every chain is a
 * local devnet. A zero delay with a real chain would let a stolen key or session redirect funds
 * silently, so it is a configuration error (a production guard at boot, lib/config/production-guards.ts, and checked again on every use).
 */
export function moneyRoutingDelaySeconds(
  chains: readonly Pick<TChain, "chainId" | "rpcUrls">[],
  configured: number | undefined = env().MONEY_ROUTING_DELAY_SECONDS,
): number {
  const devnetOnly = isDevnetOnly(chains);
  if (configured === undefined) return devnetOnly ? 0 : DEFAULT_MONEY_ROUTING_DELAY_SECONDS;
  if (configured === 0 && !devnetOnly)
    throw new ConfigError(
      "Invalid environment configuration:\n  MONEY_ROUTING_DELAY_SECONDS: 0 is allowed only when every configured " +
        "chain is a local devnet (chain id 31337/1337, RPC on loopback); with a real chain, money-routing " +
        `changes must wait (default ${DEFAULT_MONEY_ROUTING_DELAY_SECONDS} s)`,
    );
  return configured;
}
