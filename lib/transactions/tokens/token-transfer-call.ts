import { type Address, encodeFunctionData, erc20Abi, type Hex } from "viem";

export type TokenTransferCallParameters = {
  /** The token contract. */
  token: Address;
  /** Who receives the tokens. */
  to: Address;
  /** Base units the sender gives up (a fee-on-transfer token delivers less: see readTokenTransfer). */
  amount: bigint;
};

/** What a transaction sends to move `amount` of `token` to `to`: a call of the token, no value. */
export type TokenTransferCall = { to: Address; value: 0n; data: Hex };

/**
 * The ERC-20 `transfer(to, amount)` call. Encoding does not depend on the return value, so tokens
 * whose `transfer` returns nothing (USDT on Ethereum) are sent the same way. Whether the transfer
 * happened is read from the receipt's Transfer logs (readTokenTransfer), never from a return value.
 */
export function tokenTransferCall({ token, to, amount }: TokenTransferCallParameters): TokenTransferCall {
  return {
    to: token,
    value: 0n,
    data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] }),
  };
}
