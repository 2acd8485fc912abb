import type { Address, Hex } from "viem";
import type { ChainClient } from "../../chains/public-client";
import type { FeeModel } from "./fee-model";

/** Gas of a plain value transfer to an account without code (on chains that charge it flat). */
export const NATIVE_TRANSFER_GAS = 21_000n;

export type EstimateGasLimitParameters = {
  feeModel: FeeModel;
  /** The sender. */
  account: Address;
  to: Address;
  value?: bigint;
  data?: Hex;
};

/**
 * The gas limit of a transaction. A plain value transfer to an address without code is 21,000 on
 * eip1559, legacy and op-stack chains (the L1 data fee is charged apart); everything else is asked of
 * the node with `eth_estimateGas`: contract calls, transfers to contracts (and EIP-7702 delegated
 * accounts, which have code) and every transaction on Arbitrum, whose gas includes the L1 cost.
 */
export async function estimateGasLimit(
  client: Pick<ChainClient, "estimateGas" | "getCode">,
  params: EstimateGasLimitParameters,
): Promise<bigint> {
  const { feeModel, account, to, value, data } = params;
  const plainCall = !data || data === "0x";
  if (feeModel !== "arbitrum" && plainCall) {
    const code = await client.getCode({ address: to });
    if (!code || code === "0x") return NATIVE_TRANSFER_GAS;
  }
  return client.estimateGas({ account, to, value, data });
}
