import { erc20Abi, getAddress } from "viem";
import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { formatAmount } from "../money/amounts";
import {
  batchingClient,
  type ReconcileChainDeps,
  reconcileChain,
  ZReconciliation,
} from "../settlement/reconcile-chain";
import { hotWalletAddress } from "../wallet/derivation";

export const ZHotWalletReconciliation = z.array(
  z.object({
    symbol: z.string(),
    /** Live balance of the balance-mode merchants' hot wallets. */
    held_in_hot_wallets: z.string(),
    /** Sum of the balances (what the ledger says the merchants may spend). */
    ledger_available: z.string(),
    /** Reserved by payouts not yet confirmed: still in the wallets until their transaction is mined. */
    reserved_in_flight: z.string(),
    /**
     * Native coin only: what the gas tank topped the hot wallets up with (confirmed top-ups) and
     * sponsored token payouts have not spent yet. It belongs to the operator, not to the merchants.
     */
    gas_float: z.string(),
    /**
     * Native coin only: the operator's cost of token payouts' gas — the fees of sponsored payouts
     * plus the fees of the top-up transactions (paid from the gas tank). Not part of `held`.
     */
    gas_tank_spent: z.string(),
    /** held − available − reserved − gas_float: "0" when nothing is mid-flight; a mined but not yet recorded payout or top-up shows transiently. */
    difference: z.string(),
  }),
);
export type THotWalletReconciliation = z.infer<typeof ZHotWalletReconciliation>;

/**
 * The balance-mode side of reconciliation for one chain: per token, the hot wallets' on-chain
 * balances against the ledger (balances) plus what open payouts have reserved but not yet sent or
 * confirmed (their amount, and for the native coin the fee reserved at signing).
 */
export async function reconcileHotWallets(
  deps: Pick<ReconcileChainDeps, "db" | "chains" | "balanceClientFor">,
  params: { chain: string; merchantId?: string },
): Promise<THotWalletReconciliation> {
  const chain = deps.chains.find((candidate) => candidate.name === params.chain);
  if (!chain) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const merchantId = params.merchantId ?? null;
  const merchants = await deps.db.merchant.findMany({
    where: {
      ...(merchantId ? { id: merchantId } : {}),
      OR: [
        { settlementSettings: { some: { chain: chain.name, mode: "balance" } } },
        { balances: { some: { chain: chain.name } } },
      ],
    },
    select: { depositXpub: true },
  });
  const wallets = merchants.map((merchant) => getAddress(hotWalletAddress(merchant.depositXpub)));
  const ledger = await readTotals(deps.db, chain, merchantId);
  const client = deps.balanceClientFor ? deps.balanceClientFor(chain) : batchingClient(chain);
  const tokens = [
    { symbol: chain.nativeCurrency.symbol, address: null, decimals: chain.nativeCurrency.decimals },
    ...chain.tokens.map((token) => ({
      symbol: token.symbol,
      address: getAddress(token.address),
      decimals: token.decimals,
    })),
  ];
  const result: THotWalletReconciliation = [];
  for (const token of tokens) {
    const balances = await Promise.all(
      wallets.map((wallet) =>
        token.address
          ? client.readContract({
              address: token.address,
              abi: erc20Abi,
              functionName: "balanceOf",
              args: [wallet],
            })
          : client.getBalance({ address: wallet }),
      ),
    );
    const held = balances.reduce((sum, balance) => sum + balance, 0n);
    const available = ledger.available.get(token.symbol) ?? 0n;
    const reserved = ledger.reserved.get(token.symbol) ?? 0n;
    const native = token.address === null;
    const float = native ? ledger.gasFloat : 0n;
    result.push({
      symbol: token.symbol,
      held_in_hot_wallets: formatAmount(held, token.decimals),
      ledger_available: formatAmount(available, token.decimals),
      reserved_in_flight: formatAmount(reserved, token.decimals),
      gas_float: formatAmount(float, token.decimals),
      gas_tank_spent: formatAmount(native ? ledger.gasTankSpent : 0n, token.decimals),
      difference: formatAmount(held - available - reserved - float, token.decimals),
    });
  }
  return result;
}

async function readTotals(db: Db, chain: TChain, merchantId: string | null) {
  const available = await db.$queryRaw<{ token_symbol: string; total: string }[]>`
    SELECT token_symbol, SUM(available)::text AS total FROM balances
    WHERE chain = ${chain.name} AND (${merchantId}::text IS NULL OR merchant_id = ${merchantId}::text)
    GROUP BY token_symbol`;
  const reserved = await db.$queryRaw<{ token_symbol: string; total: string }[]>`
    SELECT token_symbol, SUM(amount)::text AS total FROM payouts
    WHERE chain = ${chain.name} AND status IN ('pending_approval', 'approved', 'sent')
      AND (${merchantId}::text IS NULL OR merchant_id = ${merchantId}::text)
    GROUP BY token_symbol`;
  const fees = await db.$queryRaw<{ total: string }[]>`
    SELECT COALESCE(SUM(fee_reserved), 0)::text AS total FROM payouts
    WHERE chain = ${chain.name} AND status = 'sent' AND NOT gas_sponsored
      AND (${merchantId}::text IS NULL OR merchant_id = ${merchantId}::text)`;
  // Gas the gas tank paid for token payouts (hot-wallet-gas.ts): what is still in the wallets and
  // what was spent (sponsored payouts' fees, top-up transactions' fees).
  const [gas] = await db.$queryRaw<{ topped_up: string; top_up_fees: string; sponsored_fees: string }[]>`
    SELECT
      (SELECT COALESCE(SUM(amount), 0) FROM hot_wallet_gas_top_ups WHERE chain = ${chain.name}
        AND status = 'confirmed' AND (${merchantId}::text IS NULL OR merchant_id = ${merchantId}::text))::text
        AS topped_up,
      (SELECT COALESCE(SUM(fee), 0) FROM hot_wallet_gas_top_ups WHERE chain = ${chain.name}
        AND status = 'confirmed' AND (${merchantId}::text IS NULL OR merchant_id = ${merchantId}::text))::text
        AS top_up_fees,
      (SELECT COALESCE(SUM(fee), 0) FROM payouts WHERE chain = ${chain.name} AND gas_sponsored
        AND (${merchantId}::text IS NULL OR merchant_id = ${merchantId}::text))::text AS sponsored_fees`;
  const sponsoredFees = BigInt(gas?.sponsored_fees ?? "0");
  const toMap = (rows: { token_symbol: string; total: string }[]) =>
    new Map(rows.map((row) => [row.token_symbol, BigInt(row.total)]));
  const reservedMap = toMap(reserved);
  const native = chain.nativeCurrency.symbol;
  reservedMap.set(native, (reservedMap.get(native) ?? 0n) + BigInt(fees[0]?.total ?? "0"));
  return {
    available: toMap(available),
    reserved: reservedMap,
    gasFloat: BigInt(gas?.topped_up ?? "0") - sponsoredFees,
    gasTankSpent: BigInt(gas?.top_up_fees ?? "0") + sponsoredFees,
  };
}

export const ZReconciliationWithHotWallets = ZReconciliation.extend({
  hot_wallets: ZHotWalletReconciliation,
});
export type TReconciliationWithHotWallets = z.infer<typeof ZReconciliationWithHotWallets>;

/**
 * GET /api/v1/reconciliation: the deposit side (received = swept + fees + held at deposit
 * addresses, lib/settlement) and the balance-mode side (hot wallets = ledger + reserved in flight).
 */
export async function reconcileChainWithHotWallets(
  deps: ReconcileChainDeps & AccessDeps,
  params: { chain: string; merchantId?: string },
): Promise<TReconciliationWithHotWallets> {
  // One merchant's figures need balances:read; the whole gateway's only the operator or a job.
  if (params.merchantId !== undefined) authorize(deps.actor, params.merchantId, "balances:read");
  else if (deps.actor.type !== "operator" && deps.actor.type !== "system")
    throw new AppError("forbidden", "Only the operator can reconcile the whole gateway.");
  const deposits = await reconcileChain(deps, params);
  return { ...deposits, hot_wallets: await reconcileHotWallets(deps, params) };
}
