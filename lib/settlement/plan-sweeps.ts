import { type Address, erc20Abi, getAddress } from "viem";
import type { TChain } from "../config/chains";
import { newId } from "../ids";
import { clientOf, type TransactionDeps } from "../transactions/transaction-deps";
import { hotWalletAddress } from "../wallet/derivation";

export type PlanSweepsParams = {
  /** Plan only this payment (the Inngest function); default: every eligible payment. */
  paymentId?: string;
  limit?: number;
};

/**
 * Smallest balance worth sweeping (chains.yaml `minSweep`, base units; default 0), or null for a
 * token no longer configured on the chain (not swept).
 */
export function minSweepOf(chain: TChain, tokenAddress: string | null): bigint | null {
  if (!tokenAddress) return 0n;
  const token = chain.tokens.find(
    (candidate) => candidate.address.toLowerCase() === tokenAddress.toLowerCase(),
  );
  if (!token) return null;
  return token.minSweep === undefined ? 0n : BigInt(token.minSweep);
}

/**
 * Creates a sweep (`planned`, status `pending`) for each `confirmed` payment whose merchant has a
 * treasury address (or `balance` mode: its hot wallet) for its chain and that has none yet. The
 * unique index on `sweeps.payment_id` makes a concurrent or repeated run create nothing twice. A
 * token balance below the token's `minSweep` waits.
 * Returns the ids of the sweeps this call created.
 */
export async function planSweeps(deps: TransactionDeps, params: PlanSweepsParams = {}): Promise<string[]> {
  const chainNames = deps.chains.map((chain) => chain.name);
  const candidates = await deps.db.payment.findMany({
    where: {
      status: "confirmed",
      chain: { in: chainNames },
      sweeps: { none: {} },
      ...(params.paymentId ? { id: params.paymentId } : {}),
    },
    select: {
      id: true,
      merchantId: true,
      chain: true,
      tokenAddress: true,
      depositAddress: true,
      merchant: {
        select: {
          depositXpub: true,
          settlementSettings: { select: { chain: true, mode: true, address: true } },
        },
      },
    },
    orderBy: { confirmedAt: "asc" },
    take: params.limit ?? 100,
  });
  const rows = [];
  for (const payment of candidates) {
    const setting = payment.merchant.settlementSettings.find((s) => s.chain === payment.chain);
    if (!setting) continue;
    // Balance mode sweeps to the merchant's hot wallet; the ledger is credited when it confirms.
    const toAddress =
      setting.mode === "balance" ? hotWalletAddress(payment.merchant.depositXpub) : setting.address;
    if (!toAddress) continue;
    const chain = deps.chains.find((candidate) => candidate.name === payment.chain);
    if (!chain) continue;
    const minSweep = minSweepOf(chain, payment.tokenAddress);
    if (minSweep === null) continue;
    if (minSweep > 0n && payment.tokenAddress) {
      const balance = await clientOf(deps, chain).readContract({
        address: getAddress(payment.tokenAddress),
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [payment.depositAddress as Address],
      });
      if (balance < minSweep) continue;
    }
    rows.push({
      id: newId("swp"),
      merchantId: payment.merchantId,
      paymentId: payment.id,
      chain: payment.chain,
      tokenAddress: payment.tokenAddress,
      fromAddress: payment.depositAddress,
      toAddress,
      mode: setting.mode,
      status: "pending" as const,
      amount: "0",
    });
  }
  if (rows.length === 0) return [];
  // ON CONFLICT (payment_id) DO NOTHING: a concurrent planner's row wins, ours is skipped.
  await deps.db.sweep.createMany({ data: rows, skipDuplicates: true });
  const created = await deps.db.sweep.findMany({
    where: { id: { in: rows.map((row) => row.id) } },
    select: { id: true },
  });
  return created.map((row) => row.id);
}
