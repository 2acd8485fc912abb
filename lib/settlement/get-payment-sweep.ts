import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { tokenOfCoin } from "./sweep-coins";
import { SWEEP_OBJECT_SELECT, serializeSweep, type TSweepObject } from "./sweep-object";

const NATIVE_FALLBACK = { symbol: "native", decimals: 18 };

/**
 * Every sweep of one of the merchant's payments, one per coin it was paid in: the sweep of the
 * payment's own coin (its chain and token) first, then the others as planned. Empty while none is.
 */
export async function getPaymentSweeps(
  deps: { db: Db; chains: TChain[] },
  merchantId: string,
  paymentId: string,
): Promise<TSweepObject[]> {
  const rows = await deps.db.sweep.findMany({
    // An unattributed transfer's sweep is shown with that transfer (payment object).
    where: { paymentId, merchantId, transferId: null },
    select: SWEEP_OBJECT_SELECT,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const own = (row: (typeof rows)[number]) =>
    row.chain === row.payment.chain &&
    (row.tokenAddress?.toLowerCase() ?? null) === (row.payment.tokenAddress?.toLowerCase() ?? null);
  return [...rows.filter(own), ...rows.filter((row) => !own(row))].map((row) => {
    const chain = deps.chains.find((candidate) => candidate.name === row.chain);
    const token = own(row)
      ? { symbol: row.payment.tokenSymbol, decimals: row.payment.tokenDecimals }
      : (tokenOfCoin(deps.chains, row) ?? { symbol: "unknown", decimals: 0 });
    return serializeSweep(row, chain?.nativeCurrency ?? NATIVE_FALLBACK, token);
  });
}

/** The sweep of the payment's own coin, or null while none is planned. */
export async function getPaymentSweep(
  deps: { db: Db; chains: TChain[] },
  merchantId: string,
  paymentId: string,
): Promise<TSweepObject | null> {
  return (await getPaymentSweeps(deps, merchantId, paymentId))[0] ?? null;
}
