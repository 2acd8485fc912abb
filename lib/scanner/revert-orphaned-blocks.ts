import type { Hash } from "viem";
import { reverseAcceptedTransferCredits } from "../balances/reverse-settled-credit";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { recordChainIncident } from "../health/chain-incidents";
import type { Logger } from "../logger";
import { type RemovedTransfer, recomputePayments } from "../payments/recompute-payment";
import { voidOrphanedSweeps } from "../settlement/void-orphaned-sweeps";
import { lockChainScan } from "./lock-chain-scan";
import { scannerCounters } from "./scanner-metrics";
import { canonicalHashes } from "./verify-recorded-blocks";

export type RevertOrphanedBlocksDeps = {
  db: Db;
  client: Pick<ChainClient, "getBlock" | "getTransactionReceipt" | "sendRawTransaction">;
  chain: Pick<TChain, "name" | "confirmations">;
  baseUrl: string;
  now: () => Date;
  logger?: Logger;
};

export type RevertOrphanedBlocksOptions = {
  /**
   * The common ancestor is below this block: a recorded block at this height is known not to be
   * canonical any more (a transfer's block hash changed), whatever the blocks above it say.
   */
  below?: bigint;
};

export type RevertOrphanedBlocksReturnType = {
  /**
   * Nothing was done: another scanner moved the cursor (or rewrote its tip) between this one's
   * walk back and its lock, so the walk describes a chain view that is already out of date; the
   * caller looks again.
   */
  superseded: boolean;
  commonAncestor: bigint;
  /** Blocks rolled back: the last scanned block minus the common ancestor. */
  depth: number;
  revertedTransfers: number;
  recomputedPayments: number;
};

/** Recorded blocks compared with the chain per round trip while walking back. */
const PAGE = 256;

type Candidate = { number: bigint; hash: Hash; timestamp: Date; consistent: boolean };

/**
 * Handles a reorganisation, however deep: walks the recorded blocks (the stored headers and every
 * block holding a non-reverted transfer) back, a page per round trip, to the highest one the chain
 * still has (the common ancestor), then in one transaction marks the transfers of every block above
 * it reverted, deletes those blocks, moves the cursor back to the ancestor (the next scan re-reads
 * the new canonical blocks) and recomputes the affected payments from what is left on the chain
 * (`payment.reverted` with the depth and the transfers removed; confirmed payments drop back,
 * settled ones get `reorged_after_settlement`). A reorg deeper than the chain's confirmations is
 * recorded as an incident and logged as one error line with the block numbers and hashes.
 */
export async function revertOrphanedBlocks(
  deps: RevertOrphanedBlocksDeps,
  options: RevertOrphanedBlocksOptions = {},
): Promise<RevertOrphanedBlocksReturnType> {
  const { db, chain } = deps;
  const cursor = await db.chainCursor.findUnique({
    where: { chain: chain.name },
    select: { lastScannedBlock: true },
  });
  const tip = cursor?.lastScannedBlock ?? null;
  // The last scanned block as recorded, and what the chain has at its height now (null: above the head).
  const orphaned =
    tip === null
      ? null
      : await db.chainBlock.findUnique({
          where: { chain_number: { chain: chain.name, number: tip } },
          select: { number: true, hash: true },
        });
  const [replacement] = orphaned ? await canonicalHashes(deps.client, [orphaned.number]) : [null];
  const walk = await findCommonAncestor(deps, options.below ?? null);
  const commonAncestor = walk.ancestor?.number ?? walk.floor;
  if (!walk.ancestor)
    deps.logger?.error("reorg deeper than every recorded block; rescanning from below them", {
      chain: chain.name,
      commonAncestor,
    });
  const depth = Number(tip !== null && tip > commonAncestor ? tip - commonAncestor : 0n);

  const result = await db.$transaction(
    async (tx) => {
      await lockChainScan(tx, chain.name);
      // The walk ran outside the lock: if another scanner moved on meanwhile, reverting everything
      // above the ancestor would take back blocks it has just checked and recorded.
      const [current] = await tx.$queryRaw<{ last: bigint | null; hash: string | null }[]>`
        SELECT c.last_scanned_block AS last, b.hash FROM chain_cursors c
        LEFT JOIN chain_blocks b ON b.chain = c.chain AND b.number = c.last_scanned_block
        WHERE c.chain = ${chain.name}`;
      if ((current?.last ?? null) !== tip || (current?.hash ?? null) !== (orphaned?.hash ?? null))
        return null;
      const reverted = await tx.$queryRaw<
        {
          id: string;
          payment_id: string | null;
          unattributed_payment_id: string | null;
          tx_hash: string;
          log_index: number;
          amount: string;
          block_number: bigint;
          block_hash: string;
        }[]
      >`
      UPDATE transfers SET status = 'reverted', confirmations = 0, updated_at = now()
      WHERE chain = ${chain.name} AND block_number > ${commonAncestor} AND status <> 'reverted'
      RETURNING id, payment_id, unattributed_payment_id, tx_hash, log_index, amount::text AS amount,
        block_number, block_hash`;
      await tx.chainBlock.deleteMany({ where: { chain: chain.name, number: { gt: commonAncestor } } });
      await tx.chainCursor.updateMany({
        where: { chain: chain.name, lastScannedBlock: { gt: commonAncestor } },
        data: { lastScannedBlock: commonAncestor },
      });
      const removed = new Map<string, RemovedTransfer[]>();
      for (const row of reverted)
        if (row.payment_id)
          removed.set(row.payment_id, [
            ...(removed.get(row.payment_id) ?? []),
            {
              tx_hash: row.tx_hash,
              log_index: row.log_index,
              amount: row.amount,
              block_number: row.block_number.toString(),
              block_hash: row.block_hash,
            },
          ]);
      const paymentIds = [...removed.keys()].sort();
      const recomputed = await recomputePayments(tx, {
        paymentIds,
        baseUrl: deps.baseUrl,
        now: deps.now(),
        chainTime: walk.ancestor?.timestamp ?? null,
        reason: "chain reorganisation",
        reorg: { depth, removed },
      });
      if (depth > chain.confirmations)
        await recordChainIncident(tx, {
          chain: chain.name,
          kind: "deep_reorg",
          depth,
          ancestorBlock: commonAncestor,
          ancestorHash: walk.ancestor?.hash ?? null,
          orphanedBlock: tip,
          orphanedHash: orphaned?.hash ?? null,
          replacementHash: replacement ?? null,
          detail: `reorg of ${depth} blocks (more than the ${chain.confirmations} confirmations): ${reverted.length} transfers reverted`,
          createdAt: deps.now(),
          paymentIds,
        });
      // Accepted unattributed transfers already swept: their credits taken back, their sweeps checked.
      const acceptedLost = await reverseAcceptedTransferCredits(
        tx,
        reverted.flatMap((row) => (row.unattributed_payment_id ? [row.id] : [])),
        { now: deps.now(), depth },
      );
      const settledLost = [
        ...new Set([
          ...[...recomputed].flatMap(([id, state]) =>
            state.events.includes("payment.reverted") && state.exception === "reorged_after_settlement"
              ? [id]
              : [],
          ),
          ...acceptedLost,
        ]),
      ];
      return {
        commonAncestor,
        depth,
        revertedTransfers: reverted.length,
        recomputedPayments: paymentIds.length,
        settledLost,
      };
    },
    { timeout: 120_000 },
  );
  if (result === null)
    return { superseded: true, commonAncestor, depth: 0, revertedTransfers: 0, recomputedPayments: 0 };
  scannerCounters(chain.name).reorgsHandled += 1;
  const { settledLost, ...summary } = result;
  if (depth > chain.confirmations)
    deps.logger?.error("chain reorganisation deeper than the confirmations", {
      chain: chain.name,
      ...summary,
      confirmations: chain.confirmations,
      ancestorHash: walk.ancestor?.hash ?? null,
      orphanedBlock: tip,
      orphanedHash: orphaned?.hash ?? null,
      replacementHash: replacement ?? null,
    });
  else deps.logger?.warn("chain reorganisation handled", { chain: chain.name, ...summary });
  const voided = await voidOrphanedSweeps(deps, settledLost, chain.name);
  for (const paymentId of settledLost)
    deps.logger?.error("reorg took back a settled payment's funds (reorged_after_settlement)", {
      chain: chain.name,
      paymentId,
      depth,
      sweepsVoided: voided,
    });
  return { superseded: false, ...summary };
}

/**
 * The highest recorded block (below `below`) the chain still has, walking back a page at a time
 * with no depth limit; `floor` is where to rescan from when none matches.
 */
async function findCommonAncestor(deps: RevertOrphanedBlocksDeps, below: bigint | null) {
  let before = below;
  let floor = below === null ? -1n : below - 1n;
  for (;;) {
    const page = await recordedBlocks(deps.db, deps.chain.name, before);
    if (page.length === 0) return { ancestor: null, floor };
    const hashes = await canonicalHashes(
      deps.client,
      page.map((block) => block.number),
    );
    const index = page.findIndex((block, i) => block.consistent && hashes[i] === block.hash);
    if (index >= 0) return { ancestor: page[index] ?? null, floor };
    const lowest = page.at(-1) as Candidate;
    floor = lowest.number - 1n;
    before = lowest.number;
  }
}

/**
 * A page of recorded blocks below `before`, highest first: stored headers and the blocks of
 * non-reverted transfers (kept however old). A height recorded with two hashes is inconsistent and
 * never taken as the ancestor.
 */
async function recordedBlocks(db: Db, chain: string, before: bigint | null): Promise<Candidate[]> {
  const rows = await db.$queryRaw<{ number: bigint; hash: Hash; timestamp: Date; hashes: bigint }[]>`
    SELECT number, min(hash) AS hash, min(timestamp) AS timestamp, count(DISTINCT hash) AS hashes FROM (
      SELECT number, hash, timestamp FROM chain_blocks
      WHERE chain = ${chain} AND (${before}::bigint IS NULL OR number < ${before}::bigint)
      UNION ALL
      SELECT block_number, block_hash, block_timestamp FROM transfers
      WHERE chain = ${chain} AND status <> 'reverted'
        AND (${before}::bigint IS NULL OR block_number < ${before}::bigint)
    ) AS recorded
    GROUP BY number ORDER BY number DESC LIMIT ${PAGE}`;
  return rows.map((row) => ({
    number: row.number,
    hash: row.hash,
    timestamp: row.timestamp,
    consistent: Number(row.hashes) === 1,
  }));
}
