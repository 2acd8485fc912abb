import { type Address, BaseError, getAddress, type Hash, parseAbiItem } from "viem";
import type { ChainClient } from "../chains/public-client";

export const transferEvent = parseAbiItem(
  "event Transfer(address indexed from, address indexed to, uint256 value)",
);

export type TransferLog = {
  tokenAddress: Address;
  from: Address;
  to: Address;
  amount: bigint;
  txHash: Hash;
  logIndex: number;
  blockNumber: bigint;
  blockHash: Hash;
};

export type GetTransferLogsParameters = {
  tokens: Address[];
  fromBlock: bigint;
  toBlock: bigint;
  /** Only transfers to these addresses (a `to` topic filter); omitted = every transfer of the tokens. */
  to?: Address[];
};

/**
 * ERC-20 `Transfer` logs of the given tokens over a block range: one `eth_getLogs` call whatever
 * the number of watched addresses (matching happens in the database); with `to`, the node filters
 * on the recipient topic (for short lists: busy tokens then answer a handful of logs, not every
 * transfer). A provider's "too many results" / range-limit error splits the range in halves,
 * recursively, down to one block.
 */
export async function getTransferLogs(
  client: Pick<ChainClient, "getLogs">,
  { tokens, fromBlock, toBlock, to }: GetTransferLogsParameters,
): Promise<TransferLog[]> {
  if (tokens.length === 0 || fromBlock > toBlock || to?.length === 0) return [];
  try {
    const logs = await client.getLogs({
      address: tokens,
      event: transferEvent,
      ...(to ? { args: { to } } : {}),
      fromBlock,
      toBlock,
      strict: true,
    });
    return logs.flatMap((log) =>
      log.blockHash && log.transactionHash && log.blockNumber !== null && log.logIndex !== null
        ? [
            {
              // Nodes answer lower-case addresses; everything we store is checksummed.
              tokenAddress: getAddress(log.address),
              from: getAddress(log.args.from),
              to: getAddress(log.args.to),
              amount: log.args.value,
              txHash: log.transactionHash,
              logIndex: log.logIndex,
              blockNumber: log.blockNumber,
              blockHash: log.blockHash,
            },
          ]
        : [],
    );
  } catch (error) {
    if (toBlock === fromBlock || !isRangeTooLarge(error)) throw error;
    const middle = fromBlock + (toBlock - fromBlock) / 2n;
    const first = await getTransferLogs(client, { tokens, fromBlock, toBlock: middle, to });
    const second = await getTransferLogs(client, { tokens, fromBlock: middle + 1n, toBlock, to });
    return [...first, ...second];
  }
}

/** The wordings providers use when a getLogs range or result set is over their limit. */
const RANGE_ERROR =
  /too many|limit exceeded|exceed|query returned more than|range.*(too (large|wide|big)|is too)|block range|response size|-32005/i;

function isRangeTooLarge(error: unknown): boolean {
  const text =
    error instanceof BaseError
      ? `${error.shortMessage} ${error.details} ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return RANGE_ERROR.test(text);
}
