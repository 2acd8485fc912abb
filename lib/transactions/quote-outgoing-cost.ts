import type { Address } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import { feeModelOf } from "./fees/fee-model";
import { estimateGasLimit } from "./fees/gas-limit";
import { quoteL1Fee } from "./fees/l1-fee";
import { quoteFees } from "./fees/quote-fees";
import { type FeeFields, feeFieldsOf, maxTransactionCost } from "./fees/transaction-cost";
import type { OutgoingCall } from "./sign-outgoing-transaction";

export type OutgoingCost = {
  gas: bigint;
  fees: FeeFields;
  /** OP-stack L1 data fee of the transaction's bytes (0 elsewhere). */
  l1Fee: bigint;
  /** The most the transaction can cost its sender beyond its value: gas × max fee + L1 fee. */
  maxCost: bigint;
};

// A nonce as wide as any real one: the L1 fee is quoted before the nonce is allocated (a reserve that
// fails must not burn a nonce), on bytes at least as long as the ones that will be signed.
export const WIDEST_NONCE = 0xffff_ffff;

/**
 * What sending `call` from `from` costs at most, before it is signed: the chain's fee quote (tip
 * below max fee), the gas limit (estimated, never a hard-coded 21,000 where the chain charges
 * more; `gas` when the caller estimated it already) and the L1 data fee on OP-stack chains.
 */
export async function quoteOutgoingCost(
  client: ChainClient,
  params: { chain: TChain; from: Address; call: OutgoingCall; gas?: bigint; fees?: FeeFields },
): Promise<OutgoingCost> {
  const { chain, from, call } = params;
  const feeModel = await feeModelOf(client, chain);
  const [fees, gas] = await Promise.all([
    params.fees ?? quoteFees(client, { chain }).then(feeFieldsOf),
    params.gas ??
      estimateGasLimit(client, { feeModel, account: from, to: call.to, value: call.value, data: call.data }),
  ]);
  const l1Fee = await quoteL1Fee(client, {
    feeModel,
    transaction: { chainId: chain.chainId, ...call, gas, nonce: WIDEST_NONCE, ...fees },
  });
  return { gas, fees, l1Fee, maxCost: maxTransactionCost(fees, gas, l1Fee) };
}
