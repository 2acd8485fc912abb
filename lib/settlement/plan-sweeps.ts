import { type Address, erc20Abi, getAddress } from "viem";
import type { TChain } from "../config/chains";
import { newId } from "../ids";
import { clientOf, type TransactionDeps } from "../transactions/transaction-deps";
import { hotWalletAddress } from "../wallet/derivation";
import { type Coin, creditedCoinsOf, sameCoin } from "./sweep-coins";

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
 * Creates a sweep (`planned`, status `pending`) for each coin of each `confirmed` payment
 * (creditedCoinsOf: a fiat-priced payment paid in several coins gets one per coin, each on its own
 * chain) whose merchant has a treasury address (or `balance` mode: its hot wallet) for that chain and
 * that has none yet. The unique index on (payment_id, chain, token_address) makes a concurrent or
 * repeated run create nothing twice. A token balance below the token's `minSweep` waits.
 * Returns the ids of the sweeps this call created.
 */
export async function planSweeps(deps: TransactionDeps, params: PlanSweepsParams = {}): Promise<string[]> {
  const chainNames = deps.chains.map((chain) => chain.name);
  const candidates = await deps.db.payment.findMany({
    where: {
      status: "confirmed",
      ...(params.paymentId ? { id: params.paymentId } : {}),
      // Without a sweep of its own yet, or (several coins) with fewer sweeps than coins: checked below.
      OR: [
        { sweeps: { none: { transferId: null } }, chain: { in: chainNames } },
        { priceAmount: { not: null } },
      ],
    },
    select: {
      id: true,
      merchantId: true,
      chain: true,
      tokenAddress: true,
      depositAddress: true,
      sweeps: { where: { transferId: null }, select: { chain: true, tokenAddress: true } },
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
  const rows: (SweepRow & { transferId: string | null })[] = await plannedTransferSweeps(deps, params);
  for (const payment of candidates) {
    // No settlement setting on any chain: nothing to plan (and no need to read its transfers).
    if (payment.merchant.settlementSettings.length === 0) continue;
    const coins = await creditedCoinsOf(deps.db, payment);
    for (const coin of coins) {
      if (!chainNames.includes(coin.chain)) continue;
      if (payment.sweeps.some((sweep) => sameCoin(sweep, coin))) continue;
      const row = await plannedSweep(deps, payment, coin);
      if (row) rows.push({ ...row, transferId: null });
    }
  }
  if (rows.length === 0) return [];
  // ON CONFLICT DO NOTHING on (payment_id, chain, token_address, transfer_id) and (transfer_id): a
  // concurrent planner's row wins.
  await deps.db.sweep.createMany({ data: rows, skipDuplicates: true });
  const created = await deps.db.sweep.findMany({
    where: { id: { in: rows.map((row) => row.id) } },
    select: { id: true },
  });
  return created.map((row) => row.id);
}

/**
 * The sweeps of resolved unattributed transfers (coins the payment does not accept) that have their
 * confirmations: an accepted one goes where the chain's payments go (treasury address, or hot wallet
 * in balance mode, credited when it confirms); a refunded one back to its refund address. Each moves
 * exactly its transfer's amount (sign-sweep.ts), whatever else the deposit address holds, and waits
 * for no payment status: the coins were never part of the payment.
 */
async function plannedTransferSweeps(deps: TransactionDeps, params: PlanSweepsParams) {
  const transfers = await deps.db.transfer.findMany({
    where: {
      unattributedPaymentId: params.paymentId ?? { not: null },
      resolution: { not: null },
      status: "confirmed",
      sweep: null,
      chain: { in: deps.chains.map((chain) => chain.name) },
    },
    select: {
      id: true,
      chain: true,
      tokenAddress: true,
      amount: true,
      resolution: true,
      refundAddress: true,
      unattributedPayment: {
        select: {
          id: true,
          merchantId: true,
          depositAddress: true,
          merchant: {
            select: {
              depositXpub: true,
              settlementSettings: { select: { chain: true, mode: true, address: true } },
            },
          },
        },
      },
    },
    orderBy: { resolvedAt: "asc" },
    take: params.limit ?? 100,
  });
  const rows = [];
  for (const transfer of transfers) {
    const payment = transfer.unattributedPayment;
    if (!payment) continue;
    const coin = { chain: transfer.chain, tokenAddress: transfer.tokenAddress };
    const planned =
      transfer.resolution === "refunded" && transfer.refundAddress
        ? // Sent outside: nothing to credit (`treasury` mode means exactly that to confirm-sweep).
          sweepRow(payment, coin, { toAddress: transfer.refundAddress, mode: "treasury" })
        : await plannedSweep(deps, payment, coin, BigInt(transfer.amount.toFixed()));
    if (planned) rows.push({ ...planned, transferId: transfer.id });
  }
  return rows;
}

type SweepRow = ReturnType<typeof sweepRow>;

function sweepRow(
  payment: { id: string; merchantId: string; depositAddress: string },
  coin: Coin,
  destination: { toAddress: string; mode: "treasury" | "balance" },
) {
  return {
    id: newId("swp"),
    merchantId: payment.merchantId,
    paymentId: payment.id,
    chain: coin.chain,
    tokenAddress: coin.tokenAddress,
    fromAddress: payment.depositAddress,
    ...destination,
    status: "pending" as const,
    amount: "0",
  };
}

/**
 * The sweep of one coin of a payment (or of an accepted unattributed transfer of `amount`), or null
 * while it cannot be planned (no setting, dust).
 */
async function plannedSweep(
  deps: TransactionDeps,
  payment: {
    id: string;
    merchantId: string;
    depositAddress: string;
    merchant: {
      depositXpub: string;
      settlementSettings: { chain: string; mode: "treasury" | "balance"; address: string | null }[];
    };
  },
  coin: Coin,
  /** An unattributed transfer's amount: compared with minSweep without reading the chain. */
  amount?: bigint,
) {
  const setting = payment.merchant.settlementSettings.find((s) => s.chain === coin.chain);
  if (!setting) return null;
  // Balance mode sweeps to the merchant's hot wallet; the ledger is credited when it confirms.
  const toAddress =
    setting.mode === "balance" ? hotWalletAddress(payment.merchant.depositXpub) : setting.address;
  if (!toAddress) return null;
  const chain = deps.chains.find((candidate) => candidate.name === coin.chain);
  if (!chain) return null;
  const minSweep = minSweepOf(chain, coin.tokenAddress);
  if (minSweep === null) return null;
  if (amount !== undefined && amount < minSweep) return null;
  if (minSweep > 0n && coin.tokenAddress && amount === undefined) {
    const balance = await clientOf(deps, chain).readContract({
      address: getAddress(coin.tokenAddress),
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [payment.depositAddress as Address],
    });
    if (balance < minSweep) return null;
  }
  return sweepRow(payment, coin, { toAddress, mode: setting.mode });
}
