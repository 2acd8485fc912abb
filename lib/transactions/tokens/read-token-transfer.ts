import { type Address, erc20Abi, isAddressEqual, type Log, parseEventLogs } from "viem";

export type ReadTokenTransferParameters = {
  token: Address;
  /** The transaction's sender of the tokens (the signer of a `transfer`). */
  from: Address;
  /** The recipient the call named. */
  to: Address;
};

export type TokenTransferReceipt = {
  /** Base units the recipient actually received: the sum of the token's Transfer logs to it from `from`. */
  received: bigint;
  /** Base units taken from the sender: the sum of the token's Transfer logs from `from` (fees included). */
  debited: bigint;
  /** debited − received: what a fee-on-transfer token kept (0 for a plain ERC-20). */
  tokenFee: bigint;
};

/**
 * What a mined token transfer moved, read from the receipt's `Transfer` logs of that token only —
 * never from the call's return value, which USDT does not have and which some tokens answer
 * `false` without reverting. A successful receipt with `received === 0n` moved nothing: callers
 * must treat it as a failed transfer, not as paid.
 */
export function readTokenTransfer(
  receipt: { logs: Log[] },
  { token, from, to }: ReadTokenTransferParameters,
): TokenTransferReceipt {
  const transfers = parseEventLogs({
    abi: erc20Abi,
    eventName: "Transfer",
    logs: receipt.logs,
    strict: true,
  });
  let received = 0n;
  let debited = 0n;
  for (const log of transfers) {
    if (!isAddressEqual(log.address, token) || !isAddressEqual(log.args.from, from)) continue;
    debited += log.args.value;
    if (isAddressEqual(log.args.to, to)) received += log.args.value;
  }
  return { received, debited, tokenFee: debited - received };
}
