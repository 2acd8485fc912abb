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

const ZGasFigures = {
  /** Native coin the gas tank sent to deposit addresses of ERC-20 payments (confirmed top-ups). */
  top_ups: z.string(),
  /** Gas those deposit addresses paid for their token transfers (reverted attempts included). */
  deposit_fees: z.string(),
  /** Native coin still at those deposit addresses (less any sent there by others). */
  held_on_chain: z.string(),
  /** top_ups − deposit_fees − held_on_chain: "0" when every wei of gas is accounted for. */
  difference: z.string(),
};

export const ZReconciliation = z.object({
  chain: z.string(),
  tokens: z.array(z.object({ symbol: z.string(), ...ZReconciliationFigures })),
  /** Payments whose own figures do not add up (difference ≠ 0); empty when every unit is accounted for. */
  flagged_payments: z.array(
    z.object({ payment_id: z.string(), symbol: z.string(), ...ZReconciliationFigures }),
  ),
  /** The native gas of ERC-20 sweeps, in the chain's native coin. */
  gas: z.object({
    symbol: z.string(),
    ...ZGasFigures,
    /** The gas tank's own fees for its top-ups (reverted ones included). */
    top_up_fees: z.string(),
    /** What the gas tank spent: top_ups + top_up_fees. */
    gas_tank_spent: z.string(),
  }),
  /** ERC-20 payments whose gas does not add up (difference ≠ 0). */
  flagged_gas: z.array(z.object({ payment_id: z.string(), ...ZGasFigures })),
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
type GasFigures = { topUps: bigint; depositFees: bigint; held: bigint };

/**
 * Every unit of every token on one chain, for one merchant (or all, for operators), per payment and
 * in total per token: received (non-reverted transfers to the payment's deposit address in its
 * token) = swept (confirmed sweeps) + fees (what the deposit address paid for its sweep
 * transactions, native coin only — ERC-20 gas comes from the gas tank —: the fee the engine recorded
 * as paid, gas used × effective price plus the receipt's L1 data fee on OP-stack chains) + held on
 * chain (the deposit address's live balance: after a native sweep, what its reserve of gas limit ×
 * max fee + L1 fee did not burn, since the tip is below the max fee). `difference`
 * is what does not add up: 0 when every unit is accounted for; payments with a difference are
 * listed in `flagged_payments`. A sweep mined but not yet confirmed shows as a transient difference.
 * The gas of ERC-20 sweeps likewise: what the gas tank topped up = what the deposit addresses paid
 * for their transfers + what is left there on chain (`gas`, `flagged_gas`).
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
      native_received: string;
      top_ups: string;
      top_up_fees: string;
      token_fees: string;
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
        AS fees,
      -- ERC-20 payments: native coin sent to the deposit by others (the watcher also records our
      -- top-ups: not those), gas topped up by the gas tank, the tank's fees for it, and what the
      -- deposit paid for its transfers (the rest of the fee).
      COALESCE((SELECT SUM(t.amount) FROM transfers t
        WHERE p.token_address IS NOT NULL AND t.chain = p.chain
          AND lower(t.to_address) = lower(p.deposit_address)
          AND t.token_address IS NULL AND t.status <> 'reverted'
          AND NOT EXISTS (SELECT 1 FROM sweeps s WHERE s.payment_id = p.id
            AND (lower(t.tx_hash) = lower(s.gas_fund_tx_hash)
              OR lower(t.tx_hash) IN (SELECT lower(h) FROM unnest(s.gas_fund_tx_hashes) h)))), 0)::text
        AS native_received,
      COALESCE((SELECT SUM(s.gas_fund_amount) FROM sweeps s WHERE s.payment_id = p.id), 0)::text AS top_ups,
      COALESCE((SELECT SUM(s.gas_fund_fee) FROM sweeps s WHERE s.payment_id = p.id), 0)::text AS top_up_fees,
      COALESCE((SELECT SUM(s.fee - coalesce(s.gas_fund_fee, 0)) FROM sweeps s
        WHERE s.payment_id = p.id AND s.token_address IS NOT NULL), 0)::text AS token_fees
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
  const tokenPayments = payments.filter((payment) => payment.token_address !== null);
  const gasHeld = await Promise.all(
    tokenPayments.map((payment) => client.getBalance({ address: getAddress(payment.deposit_address) })),
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
  const gas = { topUps: 0n, depositFees: 0n, held: 0n, topUpFees: 0n };
  const flaggedGas: TReconciliation["flagged_gas"] = [];
  tokenPayments.forEach((payment, index) => {
    const figures: GasFigures = {
      topUps: BigInt(payment.top_ups),
      depositFees: BigInt(payment.token_fees),
      held: (gasHeld[index] ?? 0n) - BigInt(payment.native_received),
    };
    gas.topUps += figures.topUps;
    gas.depositFees += figures.depositFees;
    gas.held += figures.held;
    gas.topUpFees += BigInt(payment.top_up_fees);
    if (gasDifferenceOf(figures) !== 0n)
      flaggedGas.push({ payment_id: payment.id, ...formatGas(figures, chain.nativeCurrency.decimals) });
  });
  const nativeDecimals = chain.nativeCurrency.decimals;
  return {
    chain: chain.name,
    tokens: tokens.map((token) => ({
      symbol: token.symbol,
      ...format(totals.get(token.symbol) ?? { received: 0n, swept: 0n, fees: 0n, held: 0n }, token.decimals),
    })),
    flagged_payments: flagged,
    gas: {
      symbol: chain.nativeCurrency.symbol,
      ...formatGas(gas, nativeDecimals),
      top_up_fees: formatAmount(gas.topUpFees, nativeDecimals),
      gas_tank_spent: formatAmount(gas.topUps + gas.topUpFees, nativeDecimals),
    },
    flagged_gas: flaggedGas,
  };
}

function gasDifferenceOf(figures: GasFigures): bigint {
  return figures.topUps - figures.depositFees - figures.held;
}

function formatGas(figures: GasFigures, decimals: number) {
  return {
    top_ups: formatAmount(figures.topUps, decimals),
    deposit_fees: formatAmount(figures.depositFees, decimals),
    held_on_chain: formatAmount(figures.held, decimals),
    difference: formatAmount(gasDifferenceOf(figures), decimals),
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
