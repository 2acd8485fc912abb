import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import type { ChainClient } from "./public-client";
import { shortMessage } from "./rpc-error";

export type RecordChainHeadChain = Pick<TChain, "name" | "chainId">;
export type RecordChainHeadReturnType = { chain: string; headBlock: bigint };

/** The chain's RPC could not be read; `cause` is the RPC error. */
export class ChainRpcError extends Error {
  override name = "ChainRpcError";
  constructor(
    readonly chain: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(`${chain}: ${message}`, options);
  }
}

/**
 * Reads the chain's head block and stores it in the chain's cursor (what `/api/health` reports).
 * A failed RPC call is recorded on the cursor (`lastError`, `lastErrorAt`) and rethrown as a
 * {@link ChainRpcError} so the caller's retry policy applies.
 */
export async function recordChainHead(
  db: Db,
  client: Pick<ChainClient, "getBlockNumber">,
  chain: RecordChainHeadChain,
  now: Date = new Date(),
): Promise<RecordChainHeadReturnType> {
  let headBlock: bigint;
  try {
    // cacheTime 0: viem otherwise serves a block number up to one polling interval old.
    headBlock = await client.getBlockNumber({ cacheTime: 0 });
  } catch (error) {
    const message = shortMessage(error);
    await db.chainCursor.upsert({
      where: { chain: chain.name },
      create: { chain: chain.name, chainId: chain.chainId, lastError: message, lastErrorAt: now },
      update: { chainId: chain.chainId, lastError: message, lastErrorAt: now },
    });
    throw new ChainRpcError(chain.name, `reading the head block failed: ${message}`, { cause: error });
  }

  const head = { headBlock, headUpdatedAt: now, lastError: null, lastErrorAt: null };
  await db.chainCursor.upsert({
    where: { chain: chain.name },
    create: { chain: chain.name, chainId: chain.chainId, ...head },
    update: { chainId: chain.chainId, ...head },
  });
  return { chain: chain.name, headBlock };
}
