import type { TChain } from "../config/chains";
import type { Db } from "../db/client";

/**
 * The chains whose watcher has not completed a scan tick recently (its cursor's head was last read
 * more than `max(60 s, 10 block times)` ago, or never): the minute cron (re)starts their loops.
 */
export async function findStalledChains(
  db: Db,
  chains: Pick<TChain, "name" | "blockTime">[],
  now: Date = new Date(),
): Promise<string[]> {
  const cursors = await db.chainCursor.findMany({
    where: { chain: { in: chains.map((chain) => chain.name) } },
    select: { chain: true, headUpdatedAt: true },
  });
  return chains
    .filter((chain) => {
      const seen = cursors.find((cursor) => cursor.chain === chain.name)?.headUpdatedAt;
      const staleAfterMs = Math.max(60_000, chain.blockTime * 10_000);
      return !seen || now.getTime() - seen.getTime() > staleAfterMs;
    })
    .map((chain) => chain.name);
}
