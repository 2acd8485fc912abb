import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import type { Logger } from "../logger";
import { recomputePayments } from "../payments/recompute-payment";
import { lockChainScan } from "./lock-chain-scan";
import { scannerCounters } from "./scanner-metrics";

export type RevertOrphanedBlocksDeps = {
  db: Db;
  client: Pick<ChainClient, "getBlock">;
  chain: Pick<TChain, "name">;
  baseUrl: string;
  now: () => Date;
  logger?: Logger;
};

export type RevertOrphanedBlocksReturnType = {
  commonAncestor: bigint;
  revertedTransfers: number;
  recomputedPayments: number;
};

/** How many stored blocks are compared with the chain when looking for the common ancestor. */
const MAX_REORG_DEPTH = 256;

/**
 * Handles a reorganisation: walks the stored block hashes back to the highest one the chain still
 * has (the common ancestor), then in one transaction marks the transfers of every block above it
 * reverted, deletes those blocks, moves the cursor back to the ancestor (the next scan re-reads the
 * new canonical blocks) and recomputes the affected payments (e.g. detected → pending,
 * `payment.reverted`).
 */
export async function revertOrphanedBlocks(
  deps: RevertOrphanedBlocksDeps,
): Promise<RevertOrphanedBlocksReturnType> {
  const { db, chain } = deps;
  const stored = await db.chainBlock.findMany({
    where: { chain: chain.name },
    select: { number: true, hash: true, timestamp: true },
    orderBy: { number: "desc" },
    take: MAX_REORG_DEPTH,
  });
  // One batched round trip; a block above the new head does not exist any more.
  const onChain = await Promise.allSettled(
    stored.map((block) => deps.client.getBlock({ blockNumber: block.number })),
  );
  const failed = onChain.find(
    (result) => result.status === "rejected" && !/not found|could not be found/i.test(String(result.reason)),
  );
  if (failed?.status === "rejected") throw failed.reason;
  const ancestorIndex = stored.findIndex((block, index) => {
    const result = onChain[index];
    return result?.status === "fulfilled" && result.value.hash === block.hash;
  });
  const ancestorBlock = ancestorIndex >= 0 ? stored[ancestorIndex] : undefined;
  const lowest = stored.at(-1);
  const commonAncestor = ancestorBlock?.number ?? (lowest ? lowest.number - 1n : -1n);
  if (!ancestorBlock)
    deps.logger?.error("reorg deeper than the stored block hashes; rescanning from below them", {
      chain: chain.name,
      commonAncestor,
    });

  const result = await db.$transaction(async (tx) => {
    await lockChainScan(tx, chain.name);
    const reverted = await tx.$queryRaw<{ payment_id: string | null }[]>`
      UPDATE transfers SET status = 'reverted', confirmations = 0, updated_at = now()
      WHERE chain = ${chain.name} AND block_number > ${commonAncestor} AND status <> 'reverted'
      RETURNING payment_id`;
    await tx.chainBlock.deleteMany({ where: { chain: chain.name, number: { gt: commonAncestor } } });
    await tx.chainCursor.updateMany({
      where: { chain: chain.name, lastScannedBlock: { gt: commonAncestor } },
      data: { lastScannedBlock: commonAncestor },
    });
    const paymentIds = [
      ...new Set(reverted.flatMap((row) => (row.payment_id ? [row.payment_id] : []))),
    ].sort();
    await recomputePayments(tx, {
      paymentIds,
      baseUrl: deps.baseUrl,
      now: deps.now(),
      chainTime: ancestorBlock?.timestamp ?? null,
      reason: "chain reorganisation",
    });
    return { commonAncestor, revertedTransfers: reverted.length, recomputedPayments: paymentIds.length };
  });
  scannerCounters(chain.name).reorgsHandled += 1;
  deps.logger?.warn("chain reorganisation handled", { chain: chain.name, ...result });
  return result;
}
