import type { TChain } from "../config/chains";
import type { Db } from "../db/client";

/**
 * The chains whose watcher has not completed a scan tick recently (its last successful scan ended
 * more than `max(60 s, 10 block times)` ago, or never): the minute cron (re)starts their loops.
 * The scan's own timestamp is used, not the head's: the heartbeat refreshes the head on its own
 * cron and would hide a dead loop.
 */
export async function findStalledChains(
  db: Db,
  chains: Pick<TChain, "name" | "blockTime">[],
  now: Date = new Date(),
): Promise<string[]> {
  const cursors = await db.chainCursor.findMany({
    where: { chain: { in: chains.map((chain) => chain.name) } },
    select: { chain: true, scannedAt: true },
  });
  return chains
    .filter((chain) => {
      const seen = cursors.find((cursor) => cursor.chain === chain.name)?.scannedAt;
      const staleAfterMs = Math.max(60_000, chain.blockTime * 10_000);
      return !seen || now.getTime() - seen.getTime() > staleAfterMs;
    })
    .map((chain) => chain.name);
}
