import type { Db } from "../db/client";

/**
 * Inngest mode: hands every approved payout that has no transaction yet to `send` (which emits one
 * `payout/approved` event per payout with the payout id as event id, so Inngest drops repeats while
 * its run is under way). The embedded runner does not need this: its payout job finds them itself.
 */
export async function relayApprovedPayouts(
  db: Db,
  send: (payoutIds: string[]) => Promise<void>,
  options: { limit?: number } = {},
): Promise<{ payouts: number }> {
  const due = await db.payout.findMany({
    where: { status: "approved", rawTx: null },
    orderBy: [{ approvedAt: "asc" }, { id: "asc" }],
    take: options.limit ?? 500,
    select: { id: true },
  });
  if (due.length > 0) await send(due.map((payout) => payout.id));
  return { payouts: due.length };
}
