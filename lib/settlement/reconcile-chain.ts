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
  /**
   * Coins of payments whose own figures do not add up (difference ≠ 0; a payment paid in several coins
   * has a row per coin); empty when every unit is accounted for.
   */
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
 * Every unit of every token on one chain, for one merchant (or all, for operators), per coin of a
 * payment (a fiat-priced payment paid in several coins has a row for each) and in total per token:
 * received (non-reverted transfers to the payment's deposit address in that coin, less the gas
 * tank's top-ups) = swept (confirmed sweeps) + fees (what the deposit address paid for its sweep
 * transactions, native coin only — ERC-20 gas comes from the gas tank —: the fee the engine recorded
 * as paid, gas used × effective price plus the receipt's L1 data fee on OP-stack chains) + held on
 * chain (the deposit address's live balance: after a native sweep, what its reserve of gas limit ×
 * max fee + L1 fee did not burn, since the tip is below the max fee). `difference`
 * is what does not add up: 0 when every unit is accounted for; payments with a difference are
 * listed in `flagged_payments`. A sweep mined but not yet confirmed shows as a transient difference.
 * The gas of ERC-20 sweeps likewise: what the gas tank topped up = what the deposit addresses paid
 * for their transfers + what is left there on chain (`gas`, `flagged_gas`). A deposit address that
 * also received the native coin as payment shares its native balance: the gas side is given what
 * its top-ups less the transfers' fees left, the native coin's row the rest.
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

  // One row per coin of a payment on this chain (a fiat-priced payment may be paid in several): its
  // own coin columns, and every coin it was credited with or swept in here.
  const coins = await deps.db.$queryRaw<
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
    WITH coins AS (
      SELECT p.id, p.deposit_address, lower(p.token_address) AS token_address FROM payments p
      WHERE p.chain = ${chain.name} AND (${merchantId}::text IS NULL OR p.merchant_id = ${merchantId}::text)
      UNION
      SELECT p.id, p.deposit_address, lower(t.token_address) FROM transfers t JOIN payments p ON p.id = t.payment_id
      WHERE t.chain = ${chain.name} AND t.status <> 'reverted'
        AND (${merchantId}::text IS NULL OR p.merchant_id = ${merchantId}::text)
      UNION
      SELECT p.id, p.deposit_address, lower(s.token_address) FROM sweeps s JOIN payments p ON p.id = s.payment_id
      WHERE s.chain = ${chain.name} AND (${merchantId}::text IS NULL OR p.merchant_id = ${merchantId}::text)
    ), ours AS (
      -- The sweeps of each payment on this chain, and the gas tank's top-ups among its transfers.
      SELECT s.* FROM sweeps s WHERE s.chain = ${chain.name}
    )
    SELECT c.id, c.deposit_address, c.token_address,
      COALESCE((SELECT SUM(t.amount) FROM transfers t
        WHERE t.chain = ${chain.name} AND lower(t.to_address) = lower(c.deposit_address)
          AND lower(coalesce(t.token_address, '')) = coalesce(c.token_address, '')
          AND t.status <> 'reverted'
          AND NOT EXISTS (SELECT 1 FROM ours s WHERE s.payment_id = c.id
            AND (lower(t.tx_hash) = lower(s.gas_fund_tx_hash)
              OR lower(t.tx_hash) IN (SELECT lower(h) FROM unnest(s.gas_fund_tx_hashes) h)))), 0)::text
        AS received,
      COALESCE((SELECT SUM(s.amount) FROM ours s WHERE s.payment_id = c.id AND s.status = 'confirmed'
        AND lower(coalesce(s.token_address, '')) = coalesce(c.token_address, '')), 0)::text AS swept,
      -- Gas of native sweeps (reverted attempts included) came out of the deposit address.
      COALESCE((SELECT SUM(s.fee) FROM ours s WHERE s.payment_id = c.id AND s.token_address IS NULL
        AND c.token_address IS NULL), 0)::text AS fees,
      -- The gas of the payment's ERC-20 sweeps here: native coin sent to the deposit by others (the
      -- watcher also records our top-ups: not those), gas topped up by the gas tank, the tank's fees
      -- for it, and what the deposit paid for its transfers (the rest of the fee).
      COALESCE((SELECT SUM(t.amount) FROM transfers t
        WHERE t.chain = ${chain.name} AND lower(t.to_address) = lower(c.deposit_address)
          AND t.token_address IS NULL AND t.status <> 'reverted'
          AND NOT EXISTS (SELECT 1 FROM ours s WHERE s.payment_id = c.id
            AND (lower(t.tx_hash) = lower(s.gas_fund_tx_hash)
              OR lower(t.tx_hash) IN (SELECT lower(h) FROM unnest(s.gas_fund_tx_hashes) h)))), 0)::text
        AS native_received,
      COALESCE((SELECT SUM(s.gas_fund_amount) FROM ours s WHERE s.payment_id = c.id), 0)::text AS top_ups,
      COALESCE((SELECT SUM(s.gas_fund_fee) FROM ours s WHERE s.payment_id = c.id), 0)::text AS top_up_fees,
      COALESCE((SELECT SUM(s.fee - coalesce(s.gas_fund_fee, 0)) FROM ours s
        WHERE s.payment_id = c.id AND s.token_address IS NOT NULL), 0)::text AS token_fees
    FROM coins c
    ORDER BY c.id, c.token_address NULLS FIRST`;

  const client = deps.balanceClientFor ? deps.balanceClientFor(chain) : batchingClient(chain);
  const held = await Promise.all(
    coins.map((coin) => {
      const holder = getAddress(coin.deposit_address);
      return coin.token_address
        ? client.readContract({
            address: getAddress(coin.token_address),
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [holder],
          })
        : client.getBalance({ address: holder });
    }),
  );
  // The gas figures, once per payment with a token coin here. When the payment was also paid in the
  // native coin here, the deposit's native balance is shared: the gas side holds what its top-ups
  // less the token transfers' fees left, the native coin's row holds the rest (so every wei of the
  // address is counted once, in the native coin's difference).
  const gasPayments = [
    ...new Set(coins.filter((coin) => coin.token_address !== null).map((coin) => coin.id)),
  ];
  const nativeCoinOf = new Map(
    coins.flatMap((coin, index) => (coin.token_address === null ? [[coin.id, index] as const] : [])),
  );
  const gasHeld = await Promise.all(
    gasPayments.map((id) => {
      const index = nativeCoinOf.get(id);
      if (index !== undefined) return held[index] ?? 0n;
      const coin = coins.find((candidate) => candidate.id === id);
      return coin ? client.getBalance({ address: getAddress(coin.deposit_address) }) : 0n;
    }),
  );

  const totals = new Map(
    tokens.map((token) => [token.symbol, { received: 0n, swept: 0n, fees: 0n, held: 0n }]),
  );
  const gas = { topUps: 0n, depositFees: 0n, held: 0n, topUpFees: 0n };
  const flaggedGas: TReconciliation["flagged_gas"] = [];
  const gasLeft = new Map<string, bigint>();
  gasPayments.forEach((id, index) => {
    const coin = coins.find((candidate) => candidate.id === id && candidate.token_address !== null);
    if (!coin) return;
    const topUps = BigInt(coin.top_ups);
    const depositFees = BigInt(coin.token_fees);
    const shared = nativeCoinOf.has(id);
    const figures: GasFigures = {
      topUps,
      depositFees,
      held: shared ? topUps - depositFees : (gasHeld[index] ?? 0n) - BigInt(coin.native_received),
    };
    if (shared) gasLeft.set(id, figures.held);
    gas.topUps += figures.topUps;
    gas.depositFees += figures.depositFees;
    gas.held += figures.held;
    gas.topUpFees += BigInt(coin.top_up_fees);
    if (gasDifferenceOf(figures) !== 0n)
      flaggedGas.push({ payment_id: id, ...formatGas(figures, chain.nativeCurrency.decimals) });
  });
  const flagged: TReconciliation["flagged_payments"] = [];
  coins.forEach((coin, index) => {
    const token = tokenOf(coin.token_address);
    // A token removed from chains.yaml is not reconciled here.
    if (!token) return;
    const figures: Figures = {
      received: BigInt(coin.received),
      swept: BigInt(coin.swept),
      fees: BigInt(coin.fees),
      held: (held[index] ?? 0n) - (coin.token_address === null ? (gasLeft.get(coin.id) ?? 0n) : 0n),
    };
    const total = totals.get(token.symbol);
    if (total) {
      total.received += figures.received;
      total.swept += figures.swept;
      total.fees += figures.fees;
      total.held += figures.held;
    }
    if (differenceOf(figures) !== 0n)
      flagged.push({ payment_id: coin.id, symbol: token.symbol, ...format(figures, token.decimals) });
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
