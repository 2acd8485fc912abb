import { type Address, getAddress, multicall3Abi, zeroAddress } from "viem";
import { MULTICALL3_ADDRESS } from "../chains/multicall3";
import type { ChainClient } from "../chains/public-client";
import { ChainRpcError } from "../chains/record-chain-head";
import { shortMessage } from "../chains/rpc-error";
import { configuredChains, type TChain } from "../config/chains";
import type { Db } from "../db/client";
import { newId } from "../ids";
import type { Logger } from "../logger";
import type { RatesDeps } from "../payments/fiat-rates";
import { recomputePayments } from "../payments/recompute-payment";
import { FIAT_MATCH_SELECT, type MatchedPayment, valueTransfers } from "./attribute-transfer";
import { lockChainScan } from "./lock-chain-scan";
import { scannerCounters } from "./scanner-metrics";

export type CheckNativeBalancesDeps = {
  db: Db;
  client: Pick<ChainClient, "getBalance" | "getCode" | "multicall">;
  chain: Pick<TChain, "name" | "confirmations" | "multicall3" | "balanceCheckBlocks">;
  baseUrl: string;
  now?: () => Date;
  logger?: Logger;
  /** Values credits to fiat-priced payments (default: the configured rate sources). */
  rates?: RatesDeps;
};

export type CheckNativeBalancesOptions = {
  /** Check even if fewer than `chain.balanceCheckBlocks` blocks were scanned since the last check. */
  force?: boolean;
};

export type CheckNativeBalancesReturnType = {
  chain: string;
  /** The scanned block the balances were read at; null when nothing was checked. */
  blockNumber: bigint | null;
  method: "multicall3" | "eth_getBalance" | null;
  addressesChecked: number;
  /** JSON-RPC calls made for the balances (one `eth_call` per Multicall3 chunk, or one per address). */
  rpcCalls: number;
  /** Unattributed credits recorded (addresses whose balance exceeded their recorded transfers). */
  credited: number;
};

/** Log index of a credit found by the balance check (not tied to a transaction the scan saw). */
export const BALANCE_CREDIT_LOG_INDEX = -2;
/** Expired payments keep being checked this long, so late ETH from a contract is still recorded. */
const EXPIRED_WINDOW_MS = 7 * 24 * 3_600_000;
/** Addresses per Multicall3 `aggregate3` call (≈ 5,000 gas each, far below node eth_call caps). */
const MULTICALL_CHUNK = 500;
/** Multicall3 chunks per HTTP request: ≈ 200 kB of JSON each. */
const CHUNKS_PER_REQUEST = 4;

/** Where Multicall3 was found per chain (undefined = not looked for yet), for the process's lifetime. */
const multicallOf = new Map<string, Address | null>();

/**
 * Closes the native coin's blind spot: the block scan sees top-level transactions only, so ETH sent
 * to a deposit address by a contract (an internal call: a smart wallet, an exchange's batch payout)
 * is invisible to it. Every `balanceCheckBlocks` scanned blocks, this reads the balances of the open
 * native deposit addresses at the last scanned block, batched (Multicall3 `getEthBalance`, one
 * `eth_call` per 500 addresses, or batched `eth_getBalance` where the chain has no Multicall3), and
 * compares each with the sum of its recorded native transfers up to that block. A surplus is
 * recorded as one unattributed credit (`tx_hash` = `balance:<address>:<block>`, `log_index` -2,
 * `from` the zero address) at that block, and the payment is recomputed; the credit then counts
 * towards later checks, so the same ETH is never credited twice. It is a block-bound transfer like
 * any other: confirmations count from its block and a reorg of that block reverts it.
 */
export async function checkNativeBalances(
  deps: CheckNativeBalancesDeps,
  options: CheckNativeBalancesOptions = {},
): Promise<CheckNativeBalancesReturnType> {
  const { db, chain } = deps;
  const now = deps.now ?? (() => new Date());
  const result: CheckNativeBalancesReturnType = {
    chain: chain.name,
    blockNumber: null,
    method: null,
    addressesChecked: 0,
    rpcCalls: 0,
    credited: 0,
  };
  const cursor = await db.chainCursor.findUnique({
    where: { chain: chain.name },
    select: { lastScannedBlock: true, balancesCheckedBlock: true },
  });
  const blockNumber = cursor?.lastScannedBlock ?? null;
  if (blockNumber === null) return result;
  const checkedAt = cursor?.balancesCheckedBlock ?? null;
  if (
    !options.force &&
    checkedAt !== null &&
    checkedAt <= blockNumber &&
    blockNumber - checkedAt < BigInt(chain.balanceCheckBlocks)
  )
    return result;
  const block = await db.chainBlock.findUnique({
    where: { chain_number: { chain: chain.name, number: blockNumber } },
    select: { hash: true, timestamp: true },
  });
  if (!block) return result;

  const payments = await db.payment.findMany({
    where: {
      AND: [
        {
          OR: [
            { chain: chain.name, tokenAddress: null },
            // A fiat-priced payment that accepts this chain's native coin, whichever coin it names.
            { priceCurrency: { not: null }, options: { some: { chain: chain.name, tokenAddress: null } } },
          ],
        },
        {
          OR: [
            { status: { in: ["pending", "detected"] } },
            { status: "expired", expiresAt: { gt: new Date(now().getTime() - EXPIRED_WINDOW_MS) } },
          ],
        },
      ],
    },
    select: { id: true, depositAddress: true, tokenAddress: true, ...FIAT_MATCH_SELECT },
  });
  const addresses = payments.map((payment) => getAddress(payment.depositAddress));
  result.blockNumber = blockNumber;
  result.addressesChecked = addresses.length;

  let balances: bigint[] = [];
  if (addresses.length > 0) {
    try {
      const read = await readBalances(deps, addresses, blockNumber);
      balances = read.balances;
      result.method = read.method;
      result.rpcCalls = read.rpcCalls;
    } catch (error) {
      scannerCounters(chain.name).rpcErrors += 1;
      const message = shortMessage(error);
      await db.chainCursor.update({
        where: { chain: chain.name },
        data: { lastError: `balance check failed: ${message}`, lastErrorAt: now() },
      });
      throw new ChainRpcError(chain.name, `balance check failed: ${message}`, { cause: error });
    }
  }

  result.credited = await db.$transaction(async (tx) => {
    await lockChainScan(tx, chain.name);
    // Under the scanner's lock: a reorg handled since the read removed or replaced this block, and
    // then the balances belong to a chain we no longer follow; the next check reads them again.
    const still = await tx.chainBlock.findUnique({
      where: { chain_number: { chain: chain.name, number: blockNumber } },
      select: { hash: true },
    });
    if (still?.hash !== block.hash) return 0;
    const explained =
      addresses.length === 0
        ? []
        : await tx.$queryRaw<{ to_address: string; amount: string }[]>`
            SELECT to_address, sum(amount)::text AS amount FROM transfers
            WHERE chain = ${chain.name} AND token_address IS NULL AND status <> 'reverted'
              AND block_number <= ${blockNumber} AND to_address = ANY(${addresses}::text[])
            GROUP BY to_address`;
    const explainedOf = new Map(explained.map((row) => [getAddress(row.to_address), BigInt(row.amount)]));
    const credits = payments.flatMap((payment, index) => {
      const address = getAddress(payment.depositAddress);
      const surplus = (balances[index] ?? 0n) - (explainedOf.get(address) ?? 0n);
      return surplus > 0n
        ? [
            {
              paymentId: payment.id,
              tokenAddress: null,
              to: address,
              amount: surplus,
              blockTimestamp: block.timestamp,
              fiatValue: null as bigint | null,
              fiatRate: null as string | null,
            },
          ]
        : [];
    });
    // A fiat-priced payment's credit is valued like a scanned transfer (its quote or the block's rate).
    const paymentOf = new Map<string, MatchedPayment>(
      payments.map((payment) => [getAddress(payment.depositAddress), payment]),
    );
    await valueTransfers(deps.rates ?? { db, chains: configuredChains() }, chain.name, credits, paymentOf);
    const recorded = credits.length
      ? await tx.$queryRaw<{ payment_id: string | null }[]>`
          INSERT INTO transfers (id, chain, tx_hash, log_index, payment_id, token_address, from_address, to_address,
            amount, block_number, block_hash, block_timestamp, status, confirmations, fiat_value, fiat_rate,
            created_at, updated_at)
          SELECT c.id, ${chain.name}, 'balance:' || c.to_address || ':' || ${blockNumber.toString()},
            ${BALANCE_CREDIT_LOG_INDEX}, c.payment_id, NULL, ${zeroAddress}, c.to_address, c.amount, ${blockNumber},
            ${block.hash}, ${block.timestamp}, 'confirming', 0, c.fiat_value, c.fiat_rate, now(), now()
          FROM unnest(${credits.map(() => newId("trf"))}::text[], ${credits.map((c) => c.paymentId)}::text[],
            ${credits.map((c) => c.to)}::text[], ${credits.map((c) => c.amount.toString())}::numeric[],
            ${credits.map((c) => c.fiatValue?.toString() ?? null)}::numeric[], ${credits.map((c) => c.fiatRate)}::text[])
            AS c(id, payment_id, to_address, amount, fiat_value, fiat_rate)
          ON CONFLICT (chain, tx_hash, log_index) DO UPDATE SET status = 'confirming', confirmations = 0,
            amount = EXCLUDED.amount, block_hash = EXCLUDED.block_hash,
            block_timestamp = EXCLUDED.block_timestamp, fiat_value = EXCLUDED.fiat_value,
            fiat_rate = EXCLUDED.fiat_rate, updated_at = now()
          WHERE transfers.status = 'reverted'
          RETURNING payment_id`
      : [];
    // The cursor is at or past this block: count the credit's confirmations like the scanner does.
    const head = await tx.chainCursor.findUnique({
      where: { chain: chain.name },
      select: { lastScannedBlock: true },
    });
    const scanned = head?.lastScannedBlock ?? blockNumber;
    if (recorded.length > 0)
      await tx.$executeRaw`
        UPDATE transfers SET confirmations = LEAST(${scanned} - block_number + 1, 2147483647)::int,
          status = CASE WHEN ${scanned} - block_number + 1 >= ${chain.confirmations}
            THEN 'confirmed'::transfer_status ELSE 'confirming'::transfer_status END,
          updated_at = now()
        WHERE chain = ${chain.name} AND log_index = ${BALANCE_CREDIT_LOG_INDEX} AND status = 'confirming'
          AND block_number = ${blockNumber}`;
    await tx.chainCursor.update({
      where: { chain: chain.name },
      data: { balancesCheckedBlock: blockNumber },
    });
    const paymentIds = [
      ...new Set(recorded.flatMap((row) => (row.payment_id ? [row.payment_id] : []))),
    ].sort();
    await recomputePayments(tx, {
      paymentIds,
      baseUrl: deps.baseUrl,
      now: now(),
      chainTime: block.timestamp,
      reason: "balance check (ETH sent by a contract)",
    });
    return recorded.length;
  });
  if (result.credited > 0)
    deps.logger?.info("native balance check recorded unattributed credits", {
      chain: chain.name,
      blockNumber,
      credited: result.credited,
    });
  return result;
}

async function readBalances(
  deps: CheckNativeBalancesDeps,
  addresses: Address[],
  blockNumber: bigint,
): Promise<{ balances: bigint[]; method: "multicall3" | "eth_getBalance"; rpcCalls: number }> {
  const { client } = deps;
  const multicallAddress = await findMulticall3(deps);
  if (multicallAddress) {
    const chunks: Address[][] = [];
    for (let i = 0; i < addresses.length; i += MULTICALL_CHUNK)
      chunks.push(addresses.slice(i, i + MULTICALL_CHUNK));
    // A few chunks go out together (the batching transport sends them in one HTTP round trip),
    // keeping each request body well under nodes' limits (Anvil refuses bodies over 2 MB).
    const results: bigint[][] = [];
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_REQUEST)
      results.push(
        ...(await Promise.all(
          chunks.slice(i, i + CHUNKS_PER_REQUEST).map((chunk) =>
            client.multicall({
              multicallAddress,
              blockNumber,
              allowFailure: false,
              // One eth_call per chunk (viem would otherwise split by calldata size).
              batchSize: 0,
              contracts: chunk.map((address) => ({
                address: multicallAddress,
                abi: multicall3Abi,
                functionName: "getEthBalance" as const,
                args: [address] as const,
              })),
            }),
          ),
        )),
      );
    return { balances: results.flat(), method: "multicall3", rpcCalls: chunks.length };
  }
  const balances = await Promise.all(addresses.map((address) => client.getBalance({ address, blockNumber })));
  return { balances, method: "eth_getBalance", rpcCalls: addresses.length };
}

/** The chain's Multicall3: as configured, else its canonical address if code is there (looked up once). */
async function findMulticall3(deps: CheckNativeBalancesDeps): Promise<Address | null> {
  const { chain, client } = deps;
  if (chain.multicall3 !== undefined) return chain.multicall3;
  const known = multicallOf.get(chain.name);
  if (known !== undefined) return known;
  const code = await client.getCode({ address: MULTICALL3_ADDRESS });
  const found = code && code !== "0x" ? MULTICALL3_ADDRESS : null;
  multicallOf.set(chain.name, found);
  return found;
}
