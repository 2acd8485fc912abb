import type { Tx } from "../db/client";

/**
 * Transaction-scoped advisory lock of one chain's cursor: two scanners (two instances, or the
 * embedded runner and an Inngest run) commit ranges of the same chain one after the other, and each
 * re-reads the cursor under the lock before writing.
 */
export async function lockChainScan(tx: Tx, chain: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`ctrip-scanner:${chain}`}))`;
}
