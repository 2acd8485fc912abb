import { type Address, createPublicClient, erc20Abi, getAddress, http, type PublicClient } from "viem";
import { z } from "zod";
import { toViemChain } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { formatAmount } from "../money/amounts";

export const ZReconciliationQuery = z.strictObject({ chain: z.string().min(1).max(32) });

const ZReconciliationFigures = {
  received: z.string(),
  swept: z.string(),
  fees: z.string(),
  held_on_chain: z.string(),
  difference: z.string(),
};

export const ZReconciliation = z.object({
  chain: z.string(),
  tokens: z.array(z.object({ symbol: z.string(), ...ZReconciliationFigures })),
  /** Payments whose own figures do not add up (difference ≠ 0); empty when every unit is accounted for. */
  flagged_payments: z.array(
    z.object({ payment_id: z.string(), symbol: z.string(), ...ZReconciliationFigures }),
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

type Figures = { received: bigint; swept: bigint; fees: bigint; held: bigint };

/**
 * Every unit of every token on one chain, for one merchant (or all, for operators), per payment and
 * in total per token: received (non-reverted transfers to the payment's deposit address in its
 * token) = swept (confirmed sweeps) + fees (gas the deposit address paid, native coin only: ERC-20
 * gas comes from the gas tank) + held on chain (the deposit address's live balance). `difference`
 * is what does not add up: 0 when every unit is accounted for; payments with a difference are
 * listed in `flagged_payments`. A sweep mined but not yet confirmed shows as a transient difference.
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
  const tokenOf = (address: string | null) =>
    tokens.find((token) => (token.address?.toLowerCase() ?? null) === (address?.toLowerCase() ?? null));

  const payments = await deps.db.$queryRaw<
    {
      id: string;
      deposit_address: string;
      token_address: string | null;
      received: string;
      swept: string;
      fees: string;
    }[]
  >`
    SELECT p.id, p.deposit_address, p.token_address,
      COALESCE((SELECT SUM(t.amount) FROM transfers t
        WHERE t.chain = p.chain AND lower(t.to_address) = lower(p.deposit_address)
          AND lower(coalesce(t.token_address, '')) = lower(coalesce(p.token_address, ''))
          AND t.status <> 'reverted'), 0)::text AS received,
      COALESCE((SELECT SUM(s.amount) FROM sweeps s WHERE s.payment_id = p.id AND s.status = 'confirmed'), 0)::text
        AS swept,
      -- Gas of native sweeps (reverted attempts included) came out of the deposit address.
      COALESCE((SELECT SUM(s.fee) FROM sweeps s WHERE s.payment_id = p.id AND s.token_address IS NULL), 0)::text
        AS fees
    FROM payments p
    WHERE p.chain = ${chain.name} AND (${merchantId}::text IS NULL OR p.merchant_id = ${merchantId}::text)
    ORDER BY p.id`;

  const client = deps.balanceClientFor ? deps.balanceClientFor(chain) : batchingClient(chain);
  const held = await Promise.all(
    payments.map((payment) => {
      const holder = getAddress(payment.deposit_address);
      return payment.token_address
        ? client.readContract({
            address: getAddress(payment.token_address),
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [holder],
          })
        : client.getBalance({ address: holder });
    }),
  );

  const totals = new Map(
    tokens.map((token) => [token.symbol, { received: 0n, swept: 0n, fees: 0n, held: 0n }]),
  );
  const flagged: TReconciliation["flagged_payments"] = [];
  payments.forEach((payment, index) => {
    const token = tokenOf(payment.token_address);
    // A token removed from chains.yaml is not reconciled here.
    if (!token) return;
    const figures: Figures = {
      received: BigInt(payment.received),
      swept: BigInt(payment.swept),
      fees: BigInt(payment.fees),
      held: held[index] ?? 0n,
    };
    const total = totals.get(token.symbol);
    if (total) {
      total.received += figures.received;
      total.swept += figures.swept;
      total.fees += figures.fees;
      total.held += figures.held;
    }
    if (differenceOf(figures) !== 0n)
      flagged.push({ payment_id: payment.id, symbol: token.symbol, ...format(figures, token.decimals) });
  });
  return {
    chain: chain.name,
    tokens: tokens.map((token) => ({
      symbol: token.symbol,
      ...format(totals.get(token.symbol) ?? { received: 0n, swept: 0n, fees: 0n, held: 0n }, token.decimals),
    })),
    flagged_payments: flagged,
  };
}

function differenceOf(figures: Figures): bigint {
  return figures.received - figures.swept - figures.fees - figures.held;
}

function format(figures: Figures, decimals: number) {
  return {
    received: formatAmount(figures.received, decimals),
    swept: formatAmount(figures.swept, decimals),
    fees: formatAmount(figures.fees, decimals),
    held_on_chain: formatAmount(figures.held, decimals),
    difference: formatAmount(differenceOf(figures), decimals),
  };
}
