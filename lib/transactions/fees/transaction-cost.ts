import { type Hex, hexToBigInt, type TransactionReceipt } from "viem";

/** The fee fields of an EIP-1559 transaction. */
export type Eip1559FeeFields = { type: "eip1559"; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
/** The fee field of a legacy (pre-EIP-1559) transaction. */
export type LegacyFeeFields = { type: "legacy"; gasPrice: bigint };
/** What a transaction offers per gas; a {@link FeeQuote} is one, with details about the quote. */
export type FeeFields = Eip1559FeeFields | LegacyFeeFields;

/** Only the transaction fields of a quote or fee object (to spread into a viem transaction). */
export function feeFieldsOf(fees: FeeFields): FeeFields {
  return fees.type === "eip1559"
    ? { type: "eip1559", maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
    : { type: "legacy", gasPrice: fees.gasPrice };
}

/** The highest price per gas the fields may cost: the max fee, or the legacy gas price. */
export function maxPricePerGas(fees: FeeFields): bigint {
  return fees.type === "eip1559" ? fees.maxFeePerGas : fees.gasPrice;
}

/**
 * What a sender must hold for the transaction's fee, beyond its value: gas limit × max price per
 * gas plus the L1 data fee (OP-stack; 0 elsewhere). A native sweep sends `balance − this`.
 */
export function maxTransactionCost(fees: FeeFields, gasLimit: bigint, l1Fee: bigint): bigint {
  return gasLimit * maxPricePerGas(fees) + l1Fee;
}

/** A receipt; OP-stack nodes add `l1Fee` (a bigint with viem's OP-stack formatters, hex without). */
export type FeeReceipt = Pick<TransactionReceipt, "gasUsed" | "effectiveGasPrice"> & {
  l1Fee?: bigint | Hex | null;
};

/**
 * The fee a mined transaction paid: gas used × effective gas price plus its L1 data fee, the
 * receipt's own `l1Fee` when the node reports one, else `l1Fee` (the quote that was reserved).
 */
export function paidFee(receipt: FeeReceipt, l1Fee: bigint): bigint {
  const reported = receipt.l1Fee;
  const l1 = reported == null ? l1Fee : typeof reported === "bigint" ? reported : hexToBigInt(reported);
  return receipt.gasUsed * receipt.effectiveGasPrice + l1;
}
