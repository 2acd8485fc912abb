import type { Address, Hex } from "viem";
import type { ChainClient } from "../../chains/public-client";
import type { TChain } from "../../config/chains";
import { type FeeModel, feeModelOf } from "./fee-model";
import { estimateGasLimit } from "./gas-limit";
import { quoteL1Fee } from "./l1-fee";
import { type FeeQuote, quoteFees } from "./quote-fees";
import { type FeeFields, feeFieldsOf, maxTransactionCost } from "./transaction-cost";

export type PrepareTransactionFeesParameters = {
  chain: Pick<TChain, "chainId" | "blockTime" | "feeModel" | "transactions">;
  account: Address;
  nonce: number;
  to: Address;
  /**
   * The value sent. For a native sweep (value = balance − max cost) pass the whole balance: the L1
   * data fee grows with the transaction's size, so the smaller value actually sent never costs more.
   */
  value?: bigint;
  data?: Hex;
  /** See quoteFees (default: a quote up to half a block old). */
  maxAgeMs?: number;
};

export type TransactionFees = {
  feeModel: FeeModel;
  quote: FeeQuote;
  /** The quote's transaction fields (spread into the transaction). */
  fees: FeeFields;
  gasLimit: bigint;
  /** OP-stack L1 data fee of this transaction; 0 on other models. */
  l1Fee: bigint;
  /** What the sender must hold beyond the value: gas limit × max price + L1 fee. */
  maxCost: bigint;
};

/**
 * Everything a new transaction needs to know about its fees, in one call: the chain's fee model,
 * a fee quote, the gas limit (estimateGasLimit's rules), the L1 data fee of the transaction as it
 * will be signed and the maximum it can cost.
 */
export async function prepareTransactionFees(
  client: ChainClient,
  params: PrepareTransactionFeesParameters,
): Promise<TransactionFees> {
  const { chain, account, nonce, to, value, data } = params;
  const feeModel = await feeModelOf(client, chain);
  const [quote, gasLimit] = await Promise.all([
    quoteFees(client, { chain, maxAgeMs: params.maxAgeMs }),
    estimateGasLimit(client, { feeModel, account, to, value, data }),
  ]);
  const fees = feeFieldsOf(quote);
  const l1Fee = await quoteL1Fee(client, {
    feeModel,
    transaction: { chainId: chain.chainId, nonce, gas: gasLimit, to, value, data, ...fees },
  });
  return { feeModel, quote, fees, gasLimit, l1Fee, maxCost: maxTransactionCost(fees, gasLimit, l1Fee) };
}
