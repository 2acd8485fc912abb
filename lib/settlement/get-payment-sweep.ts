import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { SWEEP_OBJECT_SELECT, serializeSweep, type TSweepObject } from "./sweep-object";

const NATIVE_FALLBACK = { symbol: "native", decimals: 18 };

/** The sweep of one of the merchant's payments, or null while none is planned (one per payment). */
export async function getPaymentSweep(
  deps: { db: Db; chains: TChain[] },
  merchantId: string,
  paymentId: string,
): Promise<TSweepObject | null> {
  const row = await deps.db.sweep.findFirst({
    where: { paymentId, merchantId },
    select: SWEEP_OBJECT_SELECT,
  });
  if (!row) return null;
  const chain = deps.chains.find((candidate) => candidate.name === row.chain);
  return serializeSweep(row, chain?.nativeCurrency ?? NATIVE_FALLBACK);
}
