import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { recomputePayments } from "./recompute-payment";

export type ExpirePaymentsDeps = { db: Db; chain: Pick<TChain, "name">; baseUrl: string; now?: () => Date };
export type ExpirePaymentsReturnType = { chain: string; chainTime: Date | null; expired: number };

const BATCH_SIZE = 200;

/**
 * Expires the chain's pending payments whose expiry the scanner has passed: "now" is the timestamp
 * of the last scanned block, not the wall clock, so a payment made on time but not scanned yet is
 * never expired. Due payments are recomputed a batch per transaction (row locks, timeline, events);
 * detected payments never expire.
 */
export async function expirePayments(deps: ExpirePaymentsDeps): Promise<ExpirePaymentsReturnType> {
  const { db, chain } = deps;
  const now = deps.now ?? (() => new Date());
  const cursor = await db.chainCursor.findUnique({
    where: { chain: chain.name },
    select: { lastScannedBlock: true },
  });
  const scanned =
    cursor?.lastScannedBlock == null
      ? null
      : await db.chainBlock.findUnique({
          where: { chain_number: { chain: chain.name, number: cursor.lastScannedBlock } },
          select: { timestamp: true },
        });
  const chainTime = scanned?.timestamp ?? null;
  if (!chainTime) return { chain: chain.name, chainTime, expired: 0 };

  let expired = 0;
  for (;;) {
    const due = await db.payment.findMany({
      where: { chain: chain.name, status: "pending", expiresAt: { lt: chainTime } },
      select: { id: true },
      orderBy: { expiresAt: "asc" },
      take: BATCH_SIZE,
    });
    const results = await db.$transaction((tx) =>
      recomputePayments(tx, {
        paymentIds: due.map(({ id }) => id),
        baseUrl: deps.baseUrl,
        now: now(),
        chainTime,
        reason: "expiry",
      }),
    );
    for (const result of results.values()) if (result.status === "expired") expired += 1;
    if (due.length < BATCH_SIZE) break;
  }
  return { chain: chain.name, chainTime, expired };
}
