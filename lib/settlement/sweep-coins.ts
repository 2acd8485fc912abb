// The coins of a payment, for settlement: a fiat-priced payment may be paid in several coins (one
// deposit address, the same on every chain), and each coin is swept, credited and reconciled alone.
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";

/** One coin: a chain and a token on it (null: the chain's native coin). */
export type Coin = { chain: string; tokenAddress: string | null };

export function sameCoin(a: Coin, b: Coin): boolean {
  return (
    a.chain === b.chain && (a.tokenAddress?.toLowerCase() ?? null) === (b.tokenAddress?.toLowerCase() ?? null)
  );
}

/**
 * The coins a payment was credited with: one per (chain, token) of its non-reverted transfers, in
 * the order they arrived, and always its own coin columns (a single-coin payment's coin; a
 * fiat-priced payment's columns name the coin of its first credited transfer).
 */
export async function creditedCoinsOf(
  db: Pick<Tx, "transfer">,
  payment: { id: string; chain: string; tokenAddress: string | null },
): Promise<Coin[]> {
  const transfers = await db.transfer.findMany({
    where: { paymentId: payment.id, status: { not: "reverted" } },
    select: { chain: true, tokenAddress: true },
    orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
  });
  const coins: Coin[] = [{ chain: payment.chain, tokenAddress: payment.tokenAddress }];
  for (const coin of transfers)
    if (!coins.some((known) => sameCoin(known, coin)))
      coins.push({ chain: coin.chain, tokenAddress: coin.tokenAddress });
  return coins;
}

/** The symbol and decimals of a coin as chains.yaml names it, or null when it is not configured. */
export function tokenOfCoin(chains: TChain[], coin: Coin): { symbol: string; decimals: number } | null {
  const chain = chains.find((candidate) => candidate.name === coin.chain);
  if (!chain) return null;
  if (!coin.tokenAddress) return chain.nativeCurrency;
  const token = chain.tokens.find(
    (candidate) => candidate.address.toLowerCase() === coin.tokenAddress?.toLowerCase(),
  );
  return token ? { symbol: token.symbol, decimals: token.decimals } : null;
}

/**
 * Before a pending sweep signs anything: refuses (returns why) while an unattributed transfer's sweep
 * has a transfer that is not confirmed, while a payment's coin is no longer credited
 * to the payment (a reorg took that coin's transfer away: the remaining coins settle without it), and
 * while an ERC-20 sweep shares its deposit address with the same payment's native sweep on that chain
 * that is not done: the native sweep goes first, so the payer's coin never pays the token's gas and
 * the gas tank's top-up is never swept as the payer's coin.
 */
export async function sweepOrderBlock(
  tx: Pick<Tx, "transfer" | "sweep" | "payment">,
  sweep: {
    id: string;
    paymentId: string;
    chain: string;
    tokenAddress: string | null;
    transfer: { txHash: string; status: "confirming" | "confirmed" | "reverted" } | null;
  },
): Promise<string | null> {
  // An unattributed transfer's sweep moves only once that transfer is final; a reorg that takes it
  // away holds the sweep (and lets it go on if the transaction is mined again).
  if (sweep.transfer)
    return sweep.transfer.status === "confirmed"
      ? null
      : `transfer ${sweep.transfer.txHash} is ${sweep.transfer.status === "reverted" ? "reverted by a chain reorganisation" : "not confirmed yet"}; waiting`;
  const payment = await tx.payment.findUniqueOrThrow({
    where: { id: sweep.paymentId },
    select: { chain: true, tokenAddress: true },
  });
  const coins = await creditedCoinsOf(tx, { id: sweep.paymentId, ...payment });
  if (!coins.some((coin) => sameCoin(coin, sweep)))
    return "the payment no longer holds a transfer in this coin (chain reorganisation); waiting";
  if (!sweep.tokenAddress) return null;
  const native = await tx.sweep.findFirst({
    where: {
      paymentId: sweep.paymentId,
      chain: sweep.chain,
      tokenAddress: null,
      transferId: null,
      id: { not: sweep.id },
    },
    select: { id: true, status: true },
  });
  if (!native || native.status === "confirmed" || native.status === "failed") return null;
  const credited = coins.some((coin) => sameCoin(coin, { chain: sweep.chain, tokenAddress: null }));
  return credited ? `waiting for the native-coin sweep ${native.id} from the same deposit address` : null;
}
