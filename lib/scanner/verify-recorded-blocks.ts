import type { Hash } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { Db } from "../db/client";

/** Blocks compared with the node per round trip (one batched request). */
const BATCH = 256;
/** Below the last scanned block, transfers' blocks this recent are re-checked on every tick. */
export const RECENT_BLOCKS = 256n;

const lastFullCheck = new Map<string, number>();

/**
 * Whether this tick re-checks every recorded transfer block of the chain rather than only the
 * recent ones: the first tick of this process, then once per `intervalMs` (0 = every tick).
 */
export function fullVerificationDue(chain: string, intervalMs: number, now: Date): boolean {
  const last = lastFullCheck.get(chain);
  if (last !== undefined && now.getTime() - last < intervalMs) return false;
  lastFullCheck.set(chain, now.getTime());
  return true;
}

/**
 * Re-checks the recorded blocks of the chain's non-reverted payment transfers against the node,
 * batched: those within {@link RECENT_BLOCKS} of the last scanned block, or all of them (no depth
 * limit: open, confirmed and settled payments alike) when `all` is set. Returns the lowest recorded
 * block whose hash the chain no longer has (or that is above the head), null when all are canonical.
 */
export async function findNonCanonicalTransferBlock(
  db: Db,
  client: Pick<ChainClient, "getBlock">,
  params: { chain: string; lastScannedBlock: bigint; all: boolean },
): Promise<bigint | null> {
  const since = params.all ? -1n : params.lastScannedBlock - RECENT_BLOCKS;
  const blocks = await db.$queryRaw<{ number: bigint; hash: Hash }[]>`
    SELECT DISTINCT block_number AS number, block_hash AS hash FROM transfers
    WHERE chain = ${params.chain} AND status <> 'reverted' AND payment_id IS NOT NULL
      AND block_number > ${since}
    ORDER BY block_number`;
  for (let start = 0; start < blocks.length; start += BATCH) {
    const batch = blocks.slice(start, start + BATCH);
    const hashes = await canonicalHashes(
      client,
      batch.map((block) => block.number),
    );
    const index = batch.findIndex((block, i) => hashes[i] !== block.hash);
    if (index >= 0) return batch[index]?.number ?? null;
  }
  return null;
}

/**
 * The chain's block hashes at these heights, in one batched round trip; null for a height above the
 * head (the block does not exist any more). Any other failure is thrown.
 */
export async function canonicalHashes(
  client: Pick<ChainClient, "getBlock">,
  numbers: readonly bigint[],
): Promise<(Hash | null)[]> {
  const onChain = await Promise.allSettled(numbers.map((blockNumber) => client.getBlock({ blockNumber })));
  return onChain.map((result) => {
    if (result.status === "fulfilled") return result.value.hash;
    if (/not found|could not be found/i.test(String(result.reason))) return null;
    throw result.reason;
  });
}
