import {
  type Address,
  BaseError,
  type Block,
  getAddress,
  type Hash,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  type TransactionReceipt,
} from "viem";
import type { ChainClient } from "../chains/public-client";
import { ChainRpcError } from "../chains/record-chain-head";
import { shortMessage } from "../chains/rpc-error";
import { configuredChains, type TChain } from "../config/chains";
import type { Db } from "../db/client";
import { newId } from "../ids";
import type { Logger } from "../logger";
import type { RatesDeps } from "../payments/fiat-rates";
import { recomputePayments } from "../payments/recompute-payment";
import { attributeTransfer, FIAT_MATCH_SELECT, valueTransfers } from "./attribute-transfer";
import { getTransferLogs } from "./get-transfer-logs";
import { lockChainScan } from "./lock-chain-scan";
import { revertOrphanedBlocks } from "./revert-orphaned-blocks";
import { scannerCounters } from "./scanner-metrics";
import { findNonCanonicalTransferBlock, fullVerificationDue } from "./verify-recorded-blocks";

export type ScanChainDeps = {
  db: Db;
  client: Pick<
    ChainClient,
    | "getBlockNumber"
    | "getBlock"
    | "getLogs"
    | "getTransactionReceipt"
    | "getBlockReceipts"
    // A reorg that took a sweep's gas top-up sends it again (lib/settlement/void-orphaned-sweeps.ts).
    | "sendRawTransaction"
  >;
  chain: Pick<TChain, "name" | "chainId" | "confirmations" | "maxBlockRange" | "tokens" | "finality">;
  /** Public base URL, for the payment objects in events. */
  baseUrl: string;
  /** Rates for valuing transfers to fiat-priced payments after their quote window (default: configured). */
  rates?: RatesDeps;
  now?: () => Date;
  logger?: Logger;
};

export type ScanChainOptions = {
  /** Ranges scanned in this call at most (a catching-up scanner returns between ranges). */
  maxRanges?: number;
  /** Largest range when native payments are open (every block is fetched with its transactions). */
  maxNativeBlocksPerRange?: number;
  /**
   * Up to this many open payments, `eth_getLogs` filters on their deposit addresses (`to` topic);
   * above it, every transfer of the tokens is read and matched in the database. Default 100.
   */
  maxFilteredAddresses?: number;
  /**
   * Every recorded transfer block (any depth) is re-checked against the node on the first tick and
   * then once per this many milliseconds (0 = every tick); the recent ones every tick. Default 5 min.
   */
  verifyAllIntervalMs?: number;
};

export type ScanChainReturnType = {
  chain: string;
  headBlock: bigint;
  lastScannedBlock: bigint | null;
  rangesScanned: number;
  transfersRecorded: number;
  reorgsHandled: number;
};

/** Blocks whose hashes are kept below the cursor, for reorg detection. */
const KEPT_BLOCKS = 512n;
const DEFAULT_MAX_NATIVE_BLOCKS = 200;
const DEFAULT_MAX_FILTERED_ADDRESSES = 100;
const DEFAULT_VERIFY_ALL_INTERVAL_MS = 300_000;
/** Payments stay watched this long after their expiry (late payments and top-ups are recorded). */
const LATE_WINDOW_MS = 7 * 24 * 3_600_000;

/** The chain changed while a range was being read (a reorg mid-scan); the range is read again. */
export class ChainChangedError extends Error {
  override name = "ChainChangedError";
}

type FetchedBlock = { number: bigint; hash: Hash; parentHash: Hash; timestamp: Date };
type ObservedTransfer = {
  txHash: Hash;
  logIndex: number;
  tokenAddress: Address | null;
  from: Address;
  to: Address;
  amount: bigint;
  blockNumber: bigint;
  blockHash: Hash;
  blockTimestamp: Date;
  paymentId: string | null;
  /** Sent to a payment's address in a coin (or on a chain) it does not accept. */
  unattributedPaymentId: string | null;
  /** Fiat-priced payments: the transfer's value in the price currency (minor units) and its rate. */
  fiatValue: bigint | null;
  fiatRate: string | null;
};

/**
 * Scans one chain from its persisted cursor towards the head, range by range: ERC-20 `Transfer`
 * logs of the chain's tokens (one `eth_getLogs` per range, whatever the number of open payments),
 * native transfers from the blocks' transactions with their receipts' status (only while native
 * payments are open), all through the batching client. Each range's transfers, block hashes, cursor
 * and the affected payments' recomputation are committed in one transaction, so a failed or
 * interrupted range is scanned again, never skipped, and a rescan never credits twice (unique
 * `(chain, tx_hash, log_index)`). A parent-hash mismatch with the stored blocks is a reorg, handled
 * by {@link revertOrphanedBlocks} before scanning on. RPC failures are recorded on the cursor and
 * rethrown as {@link ChainRpcError}.
 */
export async function scanChain(
  deps: ScanChainDeps,
  options: ScanChainOptions = {},
): Promise<ScanChainReturnType> {
  const { db, chain } = deps;
  const now = deps.now ?? (() => new Date());
  const maxRanges = options.maxRanges ?? 10;
  const result: ScanChainReturnType = {
    chain: chain.name,
    headBlock: 0n,
    lastScannedBlock: null,
    rangesScanned: 0,
    transfersRecorded: 0,
    reorgsHandled: 0,
  };
  try {
    result.headBlock = await deps.client.getBlockNumber({ cacheTime: 0 });
    await db.chainCursor.upsert({
      where: { chain: chain.name },
      create: {
        chain: chain.name,
        chainId: chain.chainId,
        headBlock: result.headBlock,
        headUpdatedAt: now(),
      },
      update: { headBlock: result.headBlock, headUpdatedAt: now(), lastError: null, lastErrorAt: null },
    });

    // With `finality`, confirmation also waits for the node's safe/finalized block.
    const finalBlock = chain.finality
      ? ((await deps.client.getBlock({ blockTag: chain.finality })).number ?? null)
      : null;

    // Chain truth for everything recorded: a transfer whose block left the chain, at any depth.
    const scanned = await db.chainCursor.findUnique({
      where: { chain: chain.name },
      select: { lastScannedBlock: true },
    });
    if (scanned?.lastScannedBlock != null) {
      const all = fullVerificationDue(
        chain.name,
        options.verifyAllIntervalMs ?? DEFAULT_VERIFY_ALL_INTERVAL_MS,
        now(),
      );
      const lost = await findNonCanonicalTransferBlock(db, deps.client, {
        chain: chain.name,
        lastScannedBlock: scanned.lastScannedBlock,
        all,
      });
      if (lost !== null) {
        const handled = await revertOrphanedBlocks({ ...deps, now, chain }, { below: lost });
        if (!handled.superseded) result.reorgsHandled += 1;
      }
    }

    for (let range = 0; range < maxRanges; range++) {
      const cursor = await db.chainCursor.findUnique({
        where: { chain: chain.name },
        select: { lastScannedBlock: true },
      });
      const stored = cursor?.lastScannedBlock ?? null;
      const last = stored ?? (await initialBlock(db, chain, result.headBlock)) - 1n;
      const outcome = await scanRange(deps, {
        stored,
        last,
        head: result.headBlock,
        finalBlock,
        options,
        now,
      });
      if (outcome.kind === "reorg") {
        const handled = await revertOrphanedBlocks({ ...deps, now, chain });
        if (!handled.superseded) result.reorgsHandled += 1;
        continue;
      }
      result.lastScannedBlock = outcome.lastScannedBlock;
      if (outcome.kind === "caught-up") break;
      result.rangesScanned += 1;
      result.transfersRecorded += outcome.transfersRecorded;
      scannerCounters(chain.name).rangesScanned += 1;
      if (outcome.lastScannedBlock >= result.headBlock) break;
    }
    // A completed tick: what the supervisor looks at to restart a loop that stopped.
    await db.chainCursor.update({ where: { chain: chain.name }, data: { scannedAt: now() } });
    return result;
  } catch (error) {
    if (error instanceof ChainChangedError) throw error;
    const message = shortMessage(error);
    scannerCounters(chain.name).rpcErrors += 1;
    await db.chainCursor.upsert({
      where: { chain: chain.name },
      create: { chain: chain.name, chainId: chain.chainId, lastError: message, lastErrorAt: now() },
      update: { lastError: message, lastErrorAt: now() },
    });
    throw new ChainRpcError(chain.name, `scanning failed: ${message}`, { cause: error });
  }
}

/**
 * Where a chain without a cursor starts: the oldest `start_block` of its open payments, never more
 * than one range below the head, else the head itself (never genesis on a real chain). A payment
 * created before any head was recorded has no `start_block`: then the scan starts one range below
 * the head, so a transfer made before the first scan is still found.
 */
async function initialBlock(db: Db, chain: ScanChainDeps["chain"], head: bigint): Promise<bigint> {
  const open = { chain: chain.name, status: { in: ["pending" as const, "detected" as const] } };
  const [oldest, unanchored] = await Promise.all([
    db.payment.aggregate({ where: { ...open, startBlock: { not: null } }, _min: { startBlock: true } }),
    db.payment.count({ where: { ...open, startBlock: null } }),
  ]);
  const lowest = head - BigInt(chain.maxBlockRange) + 1n;
  const floor = lowest < 0n ? 0n : lowest;
  const start = unanchored > 0 ? floor : (oldest._min.startBlock ?? head);
  return start < floor ? floor : start;
}

/** Longest a range's commit may take (it holds the chain's scan lock, nothing else waits on it). */
const COMMIT_TIMEOUT_MS = 120_000;

type RangeOutcome =
  | { kind: "reorg" }
  | { kind: "caught-up"; lastScannedBlock: bigint }
  | { kind: "scanned"; lastScannedBlock: bigint; transfersRecorded: number };

async function scanRange(
  deps: ScanChainDeps,
  params: {
    stored: bigint | null;
    last: bigint;
    head: bigint;
    finalBlock: bigint | null;
    options: ScanChainOptions;
    now: () => Date;
  },
): Promise<RangeOutcome> {
  const { db, chain, client } = deps;
  const { stored, last, head } = params;
  const storedLast =
    stored === null
      ? null
      : await db.chainBlock.findUnique({
          where: { chain_number: { chain: chain.name, number: stored } },
          select: { hash: true },
        });
  if (stored !== null && head < stored) {
    // Another scanner (a second instance) may have gone past the head this tick read: only a head
    // still below the stored tip when asked again is a chain that went back.
    const fresh = await client.getBlockNumber({ cacheTime: 0 });
    return fresh < stored ? { kind: "reorg" } : { kind: "caught-up", lastScannedBlock: stored };
  }

  // Read after the head: a payment created later cannot have been paid in this range.
  const [watchNative, watched] = await Promise.all([
    hasOpenNativePayments(db, chain.name, params.now()),
    openDepositAddresses(db, {
      chain: chain.name,
      limit: params.options.maxFilteredAddresses ?? DEFAULT_MAX_FILTERED_ADDRESSES,
      now: params.now(),
    }),
  ]);
  const from = last + 1n;
  const rangeSize = BigInt(
    watchNative
      ? Math.min(chain.maxBlockRange, params.options.maxNativeBlocksPerRange ?? DEFAULT_MAX_NATIVE_BLOCKS)
      : chain.maxBlockRange,
  );
  const to = from + rangeSize - 1n < head ? from + rangeSize - 1n : head;

  if (from > to) {
    // Caught up: still check that the last scanned block is canonical (a reorg at the same height).
    if (storedLast && last !== GENESIS) {
      const block = await client.getBlock({ blockNumber: last });
      if (block.hash !== storedLast.hash) return { kind: "reorg" };
    }
    return { kind: "caught-up", lastScannedBlock: last };
  }

  const tokens = chain.tokens.map((token) => getAddress(token.address));
  const getBlocks = (numbers: Iterable<bigint>) =>
    Promise.all(
      [...numbers]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((blockNumber) => client.getBlock({ blockNumber, includeTransactions: watchNative })),
    );
  // Every block when native payments are open (their transactions are needed), read together with
  // the logs (one batched round trip); otherwise only the blocks the logs are in and the range's
  // ends (hashes for reorg detection, timestamps for expiry).
  const everyBlock = watchNative
    ? Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i))
    : [];
  const [logs, blocksOfRange] = await Promise.all([
    getTransferLogs(client, { tokens, fromBlock: from, toBlock: to, to: watched }),
    getBlocks(everyBlock),
  ]);
  const blocks = watchNative
    ? blocksOfRange
    : await getBlocks(new Set([from, to, ...logs.map((log) => log.blockNumber)]));
  // The range continues the stored chain when its first block's parent is the last block we
  // scanned (no need to read that block again); otherwise the stored tip was reorganised away.
  const first = blocks[0];
  if (storedLast && first && requireNumber(first) === from && !continues(last, storedLast.hash, first))
    return { kind: "reorg" };
  const previous = storedLast ? { number: last, hash: storedLast.hash as Hash } : null;

  const byNumber = new Map<bigint, Block<bigint, boolean>>();
  for (const block of blocks) if (block) byNumber.set(requireNumber(block), block);
  // The range must be one chain: each fetched block's parent is the previous one (when adjacent),
  // and every log is in the block we fetched at its height.
  let prior: { number: bigint | null; hash: Hash | null } | null = previous;
  for (const block of blocks) {
    if (!block) continue;
    if (
      prior?.hash &&
      requireNumber(prior) + 1n === requireNumber(block) &&
      !continues(requireNumber(prior), prior.hash, block)
    )
      throw new ChainChangedError(`${chain.name}: chain changed while reading blocks ${from}–${to}`);
    prior = block;
  }
  for (const log of logs)
    if (byNumber.get(log.blockNumber)?.hash !== log.blockHash)
      throw new ChainChangedError(`${chain.name}: chain changed while reading logs ${from}–${to}`);

  const fetched: FetchedBlock[] = blocks.flatMap((block) =>
    block?.hash
      ? [
          {
            number: requireNumber(block),
            hash: block.hash,
            parentHash: block.parentHash,
            timestamp: new Date(Number(block.timestamp) * 1000),
          },
        ]
      : [],
  );
  const timestampOf = (n: bigint) => fetched.find((block) => block.number === n)?.timestamp ?? new Date(0);

  // Match candidates against the payments' deposit addresses in one query.
  const nativeCandidates = watchNative
    ? blocks.flatMap((block) =>
        (block?.transactions ?? []).flatMap((transaction) =>
          typeof transaction !== "string" && transaction.to && transaction.value > 0n
            ? [{ transaction, block }]
            : [],
        ),
      )
    : [];
  const candidateAddresses = [
    ...new Set([
      ...logs.map((log) => getAddress(log.to)),
      ...nativeCandidates.map(({ transaction }) => getAddress(transaction.to ?? "")),
    ]),
  ];
  const payments =
    candidateAddresses.length === 0
      ? []
      : await db.payment.findMany({
          // A fiat-priced payment's address is watched on every chain (one address everywhere).
          where: { ...onChain(chain.name), depositAddress: { in: candidateAddresses } },
          select: { id: true, depositAddress: true, tokenAddress: true, ...FIAT_MATCH_SELECT },
        });
  const paymentOf = new Map(payments.map((payment) => [getAddress(payment.depositAddress), payment]));

  const transfers: ObservedTransfer[] = [];
  for (const log of logs) {
    const payment = paymentOf.get(getAddress(log.to));
    if (!payment) continue;
    transfers.push({
      ...attributeTransfer(payment, chain.name, log.tokenAddress),
      txHash: log.txHash,
      logIndex: log.logIndex,
      tokenAddress: log.tokenAddress,
      from: getAddress(log.from),
      to: getAddress(log.to),
      amount: log.amount,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      blockTimestamp: timestampOf(log.blockNumber),
    });
  }
  const nativeMatches = nativeCandidates.filter(({ transaction }) =>
    paymentOf.has(getAddress(transaction.to ?? "")),
  );
  // Failed transactions move no value: only successful receipts credit (one batched round trip).
  const [receiptOf, topUps] = await Promise.all([
    nativeReceipts(client, nativeMatches),
    ownGasTopUps(
      db,
      nativeMatches.flatMap(({ transaction }) => paymentOf.get(getAddress(transaction.to ?? ""))?.id ?? []),
      nativeMatches.map(({ transaction }) => transaction.hash),
    ),
  ]);
  for (const { transaction, block } of nativeMatches) {
    const receipt = receiptOf.get(transaction.hash);
    const payment = paymentOf.get(getAddress(transaction.to ?? ""));
    if (!receipt || receipt.blockHash !== block?.hash)
      throw new ChainChangedError(`${chain.name}: chain changed while reading receipts ${from}–${to}`);
    if (receipt.status !== "success" || !payment || !block.hash) continue;
    if (topUps.has(transaction.hash.toLowerCase())) continue;
    transfers.push({
      ...attributeTransfer(payment, chain.name, null),
      txHash: transaction.hash,
      logIndex: -1,
      tokenAddress: null,
      from: getAddress(transaction.from),
      to: getAddress(transaction.to ?? ""),
      amount: transaction.value,
      blockNumber: requireNumber(block),
      blockHash: block.hash,
      blockTimestamp: timestampOf(requireNumber(block)),
    });
  }
  await valueTransfers(deps.rates ?? { db, chains: configuredChains() }, chain.name, transfers, paymentOf);

  return commitRange(deps, {
    stored,
    to,
    fetched,
    transfers,
    finalBlock: params.finalBlock,
    now: params.now,
  });
}

async function commitRange(
  deps: ScanChainDeps,
  params: {
    stored: bigint | null;
    to: bigint;
    fetched: FetchedBlock[];
    transfers: ObservedTransfer[];
    finalBlock: bigint | null;
    now: () => Date;
  },
): Promise<RangeOutcome> {
  const { db, chain } = deps;
  const { to, fetched, transfers } = params;
  return db.$transaction(
    async (tx) => {
      await lockChainScan(tx, chain.name);
      // Under the lock: if another scanner committed meanwhile, its range stands and ours is dropped.
      const cursor = await tx.chainCursor.findUnique({
        where: { chain: chain.name },
        select: { lastScannedBlock: true },
      });
      const current = cursor?.lastScannedBlock ?? null;
      if (current !== params.stored)
        return { kind: "scanned", lastScannedBlock: current ?? to, transfersRecorded: 0 };

      // A transfer seen again (rescan) is left alone; one that was reverted by a reorg and is back in
      // a canonical block counts again, at its new block.
      const recorded = transfers.length
        ? await tx.$queryRaw<{ payment_id: string | null }[]>`
          INSERT INTO transfers (id, chain, tx_hash, log_index, payment_id, token_address, from_address, to_address,
            amount, block_number, block_hash, block_timestamp, status, confirmations, created_at, updated_at,
            unattributed_payment_id, fiat_value, fiat_rate)
          SELECT t.id, ${chain.name}, t.tx_hash, t.log_index, t.payment_id, t.token_address, t.from_address,
            t.to_address, t.amount, t.block_number, t.block_hash, t.block_timestamp, 'confirming', 0, now(), now(),
            t.unattributed_payment_id, t.fiat_value, t.fiat_rate
          FROM unnest(${transfers.map(() => newId("trf"))}::text[], ${transfers.map((t) => t.txHash)}::text[],
            ${transfers.map((t) => t.logIndex)}::int[], ${transfers.map((t) => t.paymentId)}::text[],
            ${transfers.map((t) => t.tokenAddress)}::text[], ${transfers.map((t) => t.from)}::text[],
            ${transfers.map((t) => t.to)}::text[], ${transfers.map((t) => t.amount.toString())}::numeric[],
            ${transfers.map((t) => t.blockNumber.toString())}::bigint[], ${transfers.map((t) => t.blockHash)}::text[],
            ${transfers.map((t) => t.blockTimestamp)}::timestamptz[],
            ${transfers.map((t) => t.unattributedPaymentId)}::text[],
            ${transfers.map((t) => t.fiatValue?.toString() ?? null)}::numeric[], ${transfers.map((t) => t.fiatRate)}::text[])
            AS t(id, tx_hash, log_index, payment_id, token_address, from_address, to_address, amount, block_number,
              block_hash, block_timestamp, unattributed_payment_id, fiat_value, fiat_rate)
          ON CONFLICT (chain, tx_hash, log_index) DO UPDATE SET status = 'confirming', confirmations = 0,
            block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash,
            block_timestamp = EXCLUDED.block_timestamp, updated_at = now()
          WHERE transfers.status = 'reverted'
          RETURNING payment_id`
        : [];

      await tx.$executeRaw`
      INSERT INTO chain_blocks (chain, number, hash, parent_hash, timestamp, created_at)
      SELECT ${chain.name}, b.number, b.hash, b.parent_hash, b.timestamp, now()
      FROM unnest(${fetched.map((b) => b.number.toString())}::bigint[], ${fetched.map((b) => b.hash)}::text[],
        ${fetched.map((b) => b.parentHash)}::text[], ${fetched.map((b) => b.timestamp)}::timestamptz[])
        AS b(number, hash, parent_hash, timestamp)
      ON CONFLICT (chain, number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash,
        timestamp = EXCLUDED.timestamp`;
      await tx.chainBlock.deleteMany({ where: { chain: chain.name, number: { lt: to - KEPT_BLOCKS } } });
      await tx.chainCursor.update({
        where: { chain: chain.name },
        data: { lastScannedBlock: to, lastError: null, lastErrorAt: null },
      });

      // Confirmations count verified blocks only: up to the range just committed. With `finality`,
      // a block above the node's safe/finalized block stays short of the confirmations.
      const final = params.finalBlock;
      const confirming = await tx.$queryRaw<{ payment_id: string | null }[]>`
      UPDATE transfers SET confirmations = CASE
          WHEN ${final}::bigint IS NULL OR block_number <= ${final}::bigint
            THEN LEAST(${to} - block_number + 1, 2147483647)
          ELSE LEAST(${to} - block_number + 1, ${chain.confirmations - 1}) END::int,
        status = CASE WHEN ${to} - block_number + 1 >= ${chain.confirmations}
            AND (${final}::bigint IS NULL OR block_number <= ${final}::bigint)
          THEN 'confirmed'::transfer_status ELSE 'confirming'::transfer_status END,
        updated_at = now()
      WHERE chain = ${chain.name} AND status = 'confirming' AND block_number <= ${to}
      RETURNING payment_id`;

      const paymentIds = [
        ...new Set([...recorded, ...confirming].flatMap((row) => (row.payment_id ? [row.payment_id] : []))),
      ].sort();
      const chainTime = fetched.find((block) => block.number === to)?.timestamp ?? null;
      const detected = new Set(recorded.flatMap((row) => (row.payment_id ? [row.payment_id] : [])));
      await recomputePayments(tx, {
        paymentIds,
        baseUrl: deps.baseUrl,
        now: params.now(),
        chainTime,
        reason: (paymentId) => (detected.has(paymentId) ? "transfer detected" : "confirmations"),
      });
      return { kind: "scanned", lastScannedBlock: to, transfersRecorded: recorded.length };
      // A busy range recomputes every payment it touches in this transaction (a constant number of
      // statements, but large ones); the client's default 15 s is too short on a loaded machine.
    },
    { timeout: COMMIT_TIMEOUT_MS },
  );
}

/**
 * Which of `hashes` are the gateway's own gas top-ups of these payments' deposit addresses (the gas
 * tank funding an ERC-20 sweep, or a replacement of such a top-up): a sweep records a top-up before
 * broadcasting it, so it is known here before it can be mined. They are never the payer's money:
 * not credited to the payment, not an unattributed transfer.
 */
async function ownGasTopUps(db: Db, paymentIds: string[], hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db.$queryRaw<{ hash: string }[]>`
    SELECT DISTINCT lower(h) AS hash
    FROM sweeps AS s, unnest(s.gas_fund_tx_hashes || s.replaced_tx_hashes || ARRAY[s.gas_fund_tx_hash]) AS h
    WHERE s.payment_id = ANY(${[...new Set(paymentIds)]}::text[])
      AND lower(h) = ANY(${hashes.map((hash) => hash.toLowerCase())}::text[])`;
  return new Set(rows.map((row) => row.hash));
}

/**
 * The receipts of the matched native transactions, by transaction hash: `eth_getTransactionReceipt`
 * for a block with one, `eth_getBlockReceipts` for a block with several (so receipts never cost
 * more than one call per block), all sent together (one batched round trip). A node without
 * `eth_getBlockReceipts` gets the transactions' receipts one by one.
 */
async function nativeReceipts(
  client: ScanChainDeps["client"],
  matches: { transaction: { hash: Hash }; block: { hash: Hash | null } | null }[],
): Promise<Map<Hash, TransactionReceipt>> {
  const hashesOf = new Map<Hash, Hash[]>();
  for (const { transaction, block } of matches)
    if (block?.hash) hashesOf.set(block.hash, [...(hashesOf.get(block.hash) ?? []), transaction.hash]);
  const one = (hashes: Hash[]) => Promise.all(hashes.map((hash) => client.getTransactionReceipt({ hash })));
  const lists = await Promise.all(
    [...hashesOf].map(async ([blockHash, hashes]) => {
      if (hashes.length === 1) return one(hashes);
      try {
        return await client.getBlockReceipts({ blockHash });
      } catch (error) {
        if (error instanceof BaseError && error.walk((cause) => isUnsupportedMethod(cause)))
          return one(hashes);
        throw error;
      }
    }),
  );
  return new Map(lists.flat().map((receipt) => [receipt.transactionHash, receipt]));
}

function isUnsupportedMethod(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === MethodNotFoundRpcError.code || code === MethodNotSupportedRpcError.code;
}

/**
 * The payments whose deposit addresses are watched: open ones, and for 7 days after their expiry
 * every other one (expired, confirmed, settled, canceled), so a late payment or a top-up of a paid
 * payment is recorded (and reconciled) whatever the number of open payments.
 */
function watchedPayments(chain: string, now: Date) {
  return {
    AND: [
      onChain(chain),
      {
        OR: [
          { status: { in: ["pending" as const, "detected" as const] } },
          { expiresAt: { gt: new Date(now.getTime() - LATE_WINDOW_MS) } },
        ],
      },
    ],
  };
}

/** The payments whose address is on `chain`: its own, and every fiat-priced one (any chain). */
function onChain(chain: string) {
  return { OR: [{ chain }, { priceCurrency: { not: null } }] };
}

/**
 * The deposit addresses of the chain's watched payments (any token: a token sent to a native
 * payment's address is recorded too) when there are at most `limit` of them, else undefined (no
 * filter).
 */
async function openDepositAddresses(
  db: Db,
  { chain, limit, now }: { chain: string; limit: number; now: Date },
): Promise<Address[] | undefined> {
  if (limit <= 0) return undefined;
  const open = await db.payment.findMany({
    where: watchedPayments(chain, now),
    select: { depositAddress: true },
    take: limit + 1,
  });
  return open.length > limit ? undefined : open.map((payment) => getAddress(payment.depositAddress));
}

/**
 * Whether the chain has watched payments that native transfers can pay: its own native ones, and
 * fiat-priced ones (any coin reaches their address). Four EXISTS arms, each a range of one of two
 * small partial indexes (the native payments' and the fiat-priced ones'), instead of one OR that
 * read every payment of the table on each tick. "Watched" is watchedPayments' set: open, or expired
 * less than LATE_WINDOW_MS ago (watch-queries.test.ts pays an expired native payment late).
 */
async function hasOpenNativePayments(db: Db, chain: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - LATE_WINDOW_MS);
  // "Any status" spelled as the list of them: each index is then searched once per status for the
  // expiry range, a plan PostgreSQL picks even before it has statistics of a grown table.
  const [row] = await db.$queryRaw<{ watched: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM payments WHERE chain = ${chain} AND token_address IS NULL
                     AND status IN ('pending', 'detected'))
        OR EXISTS (SELECT 1 FROM payments WHERE chain = ${chain} AND token_address IS NULL
                     AND status = ANY (enum_range(NULL::payment_status)) AND expires_at > ${since})
        OR EXISTS (SELECT 1 FROM payments WHERE price_currency IS NOT NULL
                     AND status IN ('pending', 'detected'))
        OR EXISTS (SELECT 1 FROM payments WHERE price_currency IS NOT NULL
                     AND status = ANY (enum_range(NULL::payment_status)) AND expires_at > ${since})
      AS watched`;
  return row?.watched === true;
}

function requireNumber(block: { number: bigint | null }): bigint {
  if (block.number === null) throw new ChainChangedError("a pending block was returned for a mined height");
  return block.number;
}

const GENESIS = 0n;

/**
 * Whether `child` extends the block `parentNumber` whose hash is `parentHash`. The genesis block
 * links to anything: no chain reorganises it, but Anvil gives it a new hash each time it starts
 * from a state file (while block 1 keeps the old parent hash), which would otherwise read as a
 * chain that changes on every scan from block 0 after a devnet restart.
 */
function continues(parentNumber: bigint, parentHash: string, child: Pick<Block, "parentHash">): boolean {
  return parentNumber === GENESIS || child.parentHash === parentHash;
}
