// The coins a merchant's fiat-priced payments accept (issue 21): the default of `accepts`, and the
// limit an explicit `accepts` must stay within. Stored as [{chain, token}] (token null = the chain's
// native coin); null = every chain/token of chains.yaml, so merchants who never chose keep all.
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { resolveToken } from "../payments/payment-object";

export type TAcceptedCoin = { chain: string; token: string | null };

/** Every configured coin: per chain its native coin (token null), then its tokens. */
export function configuredCoins(chains: readonly TChain[]): TAcceptedCoin[] {
  return chains.flatMap((chain) => [
    { chain: chain.name, token: null },
    ...chain.tokens.map((token) => ({ chain: chain.name, token: token.symbol })),
  ]);
}

/** "local:ETH" for the coin (the native coin under its symbol), or null when it is not configured. */
function coinKey(chains: readonly TChain[], coin: { chain: string; token?: string | null }): string | null {
  const chain = chains.find((candidate) => candidate.name === coin.chain);
  const token = chain ? resolveToken(chain, coin.token) : null;
  return chain && token ? `${chain.name}:${token.symbol}` : null;
}

/**
 * The stored setting as the coins still configured (a coin removed from chains.yaml is left out),
 * native coins with token null; every configured coin when the merchant never chose.
 */
export function effectiveAcceptedCoins(chains: readonly TChain[], stored: unknown): TAcceptedCoin[] {
  const all = configuredCoins(chains);
  if (!Array.isArray(stored)) return all;
  const chosen = new Set(
    stored.flatMap((coin) =>
      typeof coin === "object" && coin !== null && "chain" in coin && typeof coin.chain === "string"
        ? [coinKey(chains, coin as TAcceptedCoin)]
        : [],
    ),
  );
  return all.filter((coin) => chosen.has(coinKey(chains, coin)));
}

/**
 * The `accepts` a fiat-priced payment of this merchant is created with: the request's own list when
 * it names one (a configured coin the merchant turned off is refused, 422), else the merchant's
 * accepted coins (undefined when the merchant never chose: every configured coin, as before).
 * Unknown chains and tokens are left to the caller's validation, which names them.
 */
export async function acceptsFor<T extends { chain: string; token?: string | null }>(
  db: Db,
  chains: readonly TChain[],
  merchantId: string,
  requested: T[] | undefined,
): Promise<(T | TAcceptedCoin)[] | undefined> {
  const merchant = await db.merchant.findUnique({
    where: { id: merchantId },
    select: { acceptedCoins: true },
  });
  if (!merchant) throw new AppError("not_found", "Merchant not found");
  if (merchant.acceptedCoins === null) return requested;
  const enabled = effectiveAcceptedCoins(chains, merchant.acceptedCoins);
  if (!requested) {
    if (enabled.length > 0) return enabled;
    throw new AppError(
      "validation_failed",
      "accepts: none of the coins this merchant accepts is configured",
      {
        errors: [{ path: "accepts", message: "none of the coins this merchant accepts is configured" }],
      },
    );
  }
  const allowed = new Set(enabled.map((coin) => coinKey(chains, coin)));
  requested.forEach((coin, index) => {
    const key = coinKey(chains, coin);
    if (key === null || allowed.has(key)) return;
    const [chain, symbol] = key.split(":");
    const path = `accepts.${index}.token`;
    const message = `${symbol} on ${chain} is turned off in this merchant's accepted coins (settings/quotes)`;
    throw new AppError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
  });
  return requested;
}
