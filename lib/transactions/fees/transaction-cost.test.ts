import { describe, expect, it } from "vitest";
import { feeFieldsOf, maxTransactionCost, paidFee } from "./transaction-cost";

describe("transaction cost", () => {
  const eip1559 = { type: "eip1559", maxFeePerGas: 30n, maxPriorityFeePerGas: 2n } as const;

  it("reserves gas limit × max fee (or gas price) plus the L1 data fee", () => {
    expect(maxTransactionCost(eip1559, 21_000n, 0n)).toBe(630_000n);
    expect(maxTransactionCost(eip1559, 21_000n, 1_234n)).toBe(631_234n);
    expect(maxTransactionCost({ type: "legacy", gasPrice: 7n }, 50_000n, 5n)).toBe(350_005n);
  });

  it("counts what was paid: gas used × effective price plus the receipt's l1Fee, else the quoted one", () => {
    const receipt = { gasUsed: 21_000n, effectiveGasPrice: 12n };
    expect(paidFee(receipt, 0n)).toBe(252_000n);
    expect(paidFee(receipt, 500n)).toBe(252_500n);
    expect(paidFee({ ...receipt, l1Fee: null }, 500n)).toBe(252_500n);
    expect(paidFee({ ...receipt, l1Fee: 480n }, 500n)).toBe(252_480n);
    // Without viem's OP-stack formatters the node's field stays hex.
    expect(paidFee({ ...receipt, l1Fee: "0x1e0" }, 500n)).toBe(252_480n);
  });

  it("keeps only the transaction's fee fields of a quote", () => {
    const quote = { ...eip1559, model: "op-stack", baseFeePerGas: 14n, aboveCeiling: false } as const;
    expect(feeFieldsOf(quote)).toEqual(eip1559);
    expect(feeFieldsOf({ type: "legacy", gasPrice: 3n })).toEqual({ type: "legacy", gasPrice: 3n });
  });
});
