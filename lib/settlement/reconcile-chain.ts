import { type Address, createPublicClient, erc20Abi, getAddress, http, type PublicClient } from "viem";
import { z } from "zod";
import { toViemChain } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { formatAmount } from "../money/amounts";

export const ZReconciliationQuery = z.strictObject({ chain: z.string().min(1).max(32) });

export const ZReconciliation = z.object({
  chain: z.string(),
  tokens: z.array(
    z.object({
      symbol: z.string(),
      received: z.string(),
      swept: z.string(),
      fees: z.string(),
      held_on_chain: z.string(),
      difference: z.string(),
    }),
  ),
});
export type TReconciliation = z.infer<typeof ZReconciliation>;

export type ReconcileChainDeps = {
  db: Db;
  chains: TChain[];
  /** Reads balances; defaults to a client batching its JSON-RPC calls (one HTTP request per 200). */
  balanceClientFor?: (chain: TChain) => Pick<PublicClient, "getBalance" | "readContract">;
};

/** A client whose concurrent calls go out as JSON-RPC batches (no Multicall3 needed, e.g. on Anvil). */
export function batchingClient(chain: TChain) {
  const url = chain.rpcUrls.find((candidate) => /^https?:/i.test(candidate));
  if (!url) throw new AppError("internal_error", `${chain.name} has no HTTP RPC URL for balance reads`);
  return createPublicClient({
    chain: toViemChain(chain),
    transport: http(url, { batch: { batchSize: 200 }, timeout: 30_000, retryCount: 2 }),
  });
}

type Totals = { received: bigint; swept: bigint; fees: bigint; held: bigint };

/**
 * Every unit of every token on one chain, for one merchant (or all, for operators):
 * received (non-reverted transfers to our deposit addresses) = swept (confirmed sweeps) + fees (gas
 * the deposit addresses paid, native coin only: ERC-20 gas comes from the gas tank) + held on chain
 * (live balances of the deposit addresses). `difference` is what does not add up: 0 when every wei
 * is accounted for; a sweep whose transaction is mined but not yet confirmed shows as a transient
 * difference.
 */
export async function reconcileChain(
  deps: ReconcileChainDeps,
  params: { chain: string; merchantId?: string },
): Promise<TReconciliation> {
  const chain = deps.chains.find((candidate) => candidate.name === params.chain);
  if (!chain) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const merchantId = params.merchantId ?? null;
  const tokens = [
    {
      symbol: chain.nativeCurrency.symbol,
      address: null as Address | null,
      decimals: chain.nativeCurrency.decimals,
    },
    ...chain.tokens.map((token) => ({
      symbol: token.symbol,
      address: token.address as Address,
      decimals: token.decimals,
    })),
  ];

  const received = await deps.db.$queryRaw<{ token: string | null; total: string }[]>`
    SELECT lower(p.token_address) AS token, SUM(t.amount)::text AS total
    FROM transfers t
    JOIN payments p ON p.chain = t.chain AND lower(p.deposit_address) = lower(t.to_address)
      AND lower(coalesce(p.token_address, '')) = lower(coalesce(t.token_address, ''))
    WHERE t.chain = ${chain.name} AND t.status <> 'reverted'
      AND (${merchantId}::text IS NULL OR p.merchant_id = ${merchantId}::text)
    GROUP BY 1`;
  const sweeps = await deps.db.$queryRaw<{ token: string | null; swept: string; fees: string }[]>`
    SELECT lower(s.token_address) AS token,
      COALESCE(SUM(s.amount) FILTER (WHERE s.status = 'confirmed'), 0)::text AS swept,
      -- Gas of native sweeps (reverted attempts included) came out of the deposit address.
      COALESCE(SUM(s.fee) FILTER (WHERE s.token_address IS NULL), 0)::text AS fees
    FROM sweeps s
    WHERE s.chain = ${chain.name} AND (${merchantId}::text IS NULL OR s.merchant_id = ${merchantId}::text)
    GROUP BY 1`;
  const deposits = await deps.db.payment.findMany({
    where: { chain: chain.name, ...(merchantId ? { merchantId } : {}) },
    select: { depositAddress: true, tokenAddress: true },
  });

  const client = deps.balanceClientFor ? deps.balanceClientFor(chain) : batchingClient(chain);
  const result: TReconciliation["tokens"] = [];
  for (const token of tokens) {
    const key = token.address?.toLowerCase() ?? null;
    const holders = [
      ...new Set(
        deposits
          .filter((deposit) => (deposit.tokenAddress?.toLowerCase() ?? null) === key)
          .map((deposit) => getAddress(deposit.depositAddress)),
      ),
    ];
    const balances = await Promise.all(
      holders.map((holder) =>
        token.address
          ? client.readContract({
              address: token.address,
              abi: erc20Abi,
              functionName: "balanceOf",
              args: [holder],
            })
          : client.getBalance({ address: holder }),
      ),
    );
    const totals: Totals = {
      received: BigInt(received.find((row) => row.token === key)?.total ?? "0"),
      swept: BigInt(sweeps.find((row) => row.token === key)?.swept ?? "0"),
      fees: BigInt(sweeps.find((row) => row.token === key)?.fees ?? "0"),
      held: balances.reduce((sum, balance) => sum + balance, 0n),
    };
    const difference = totals.received - totals.swept - totals.fees - totals.held;
    result.push({
      symbol: token.symbol,
      received: formatAmount(totals.received, token.decimals),
      swept: formatAmount(totals.swept, token.decimals),
      fees: formatAmount(totals.fees, token.decimals),
      held_on_chain: formatAmount(totals.held, token.decimals),
      difference: formatAmount(difference, token.decimals),
    });
  }
  return { chain: chain.name, tokens: result };
}
