import { parseAbi, serializeTransaction, type TransactionSerializable } from "viem";
import type { ChainClient } from "../../chains/public-client";
import { type FeeModel, GAS_PRICE_ORACLE_ADDRESS } from "./fee-model";

// The one function of the predeploy used here (viem/op-stack does not export its ABI).
const gasPriceOracleAbi = parseAbi(["function getL1Fee(bytes _data) view returns (uint256)"]);

export type QuoteL1FeeParameters = {
  feeModel: FeeModel;
  /** The transaction as it will be signed (nonce, gas, fees, to, value, data, chainId), unsigned. */
  transaction: TransactionSerializable;
};

/**
 * The L1 data fee an OP-stack chain charges for the transaction on top of gas × price: the
 * GasPriceOracle predeploy's `getL1Fee(bytes)` on the serialized unsigned transaction (the oracle
 * adds the signature's size itself). 0 on every other fee model.
 *
 * viem's `estimateL1Fee` asks the same oracle but serializes stand-in values for the nonce, gas and
 * fees; the transaction that will be signed is serialized here instead, so the fee reserved for it is
 * the one for its own bytes.
 */
export async function quoteL1Fee(
  client: Pick<ChainClient, "readContract">,
  params: QuoteL1FeeParameters,
): Promise<bigint> {
  if (params.feeModel !== "op-stack") return 0n;
  return client.readContract({
    address: GAS_PRICE_ORACLE_ADDRESS,
    abi: gasPriceOracleAbi,
    functionName: "getL1Fee",
    args: [serializeTransaction(params.transaction)],
  });
}
