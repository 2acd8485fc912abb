// Replacement fee math (pure): bump both fees by the policy, never above the ceiling, stop after the
// policy's replacements. Properties checked over generated fees and policies with fast-check.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replacementFees } from "./replacement-fees";
import type { Eip1559FeeFields, FeeFields } from "./transaction-cost";

const GWEI = 1_000_000_000n;
const policy = { bumpBasisPoints: 1250n, maxReplacements: 5, maxFeePerGas: 100n * GWEI };
const eip1559 = (maxFeePerGas: bigint, maxPriorityFeePerGas: bigint): Eip1559FeeFields => ({
  type: "eip1559",
  maxFeePerGas,
  maxPriorityFeePerGas,
});

describe("replacementFees", () => {
  it("raises both fees by 12.5 % (rounded up) when the market has not moved", () => {
    const previous = eip1559(20n * GWEI, 1n * GWEI);
    expect(replacementFees({ previous, current: previous, replacementsMade: 0, policy })).toEqual({
      fees: eip1559(22_500_000_000n, 1_125_000_000n),
    });
    // 7 × 1.125 = 7.875 → 8 wei: rounding down would be a bump nodes refuse.
    expect(
      replacementFees({ previous: eip1559(7n, 7n), current: eip1559(1n, 1n), replacementsMade: 0, policy }),
    ).toEqual({
      fees: eip1559(8n, 8n),
    });
  });

  it("takes the current quote on a field where it is above the bumped offer", () => {
    const result = replacementFees({
      previous: eip1559(20n * GWEI, 1n * GWEI),
      current: eip1559(40n * GWEI, 1n * GWEI),
      replacementsMade: 2,
      policy,
    });
    expect(result).toEqual({ fees: eip1559(40n * GWEI, 1_125_000_000n) });
  });

  it("bumps a legacy gas price", () => {
    const legacy = { type: "legacy", gasPrice: 8n * GWEI } as const;
    expect(replacementFees({ previous: legacy, current: legacy, replacementsMade: 0, policy })).toEqual({
      fees: { type: "legacy", gasPrice: 9n * GWEI },
    });
  });

  it("refuses past the ceiling and after the last replacement", () => {
    const previous = eip1559(90n * GWEI, 2n * GWEI);
    expect(replacementFees({ previous, current: previous, replacementsMade: 0, policy })).toEqual({
      exceeded: "ceiling",
    });
    const cheap = eip1559(GWEI, GWEI);
    expect(replacementFees({ previous: cheap, current: cheap, replacementsMade: 5, policy })).toEqual({
      exceeded: "max_replacements",
    });
    expect(
      replacementFees({
        previous: cheap,
        current: cheap,
        replacementsMade: 0,
        policy: { ...policy, maxReplacements: 0 },
      }),
    ).toEqual({ exceeded: "max_replacements" });
    // No ceiling: any price is allowed.
    expect(
      replacementFees({
        previous,
        current: previous,
        replacementsMade: 0,
        policy: { ...policy, maxFeePerGas: null },
      }),
    ).toHaveProperty("fees");
  });

  const wei = fc.bigInt({ min: 0n, max: 10n ** 15n });
  const eip1559Fees = fc.tuple(wei, wei).map(([a, b]) => (a >= b ? eip1559(a, b) : eip1559(b, a)));
  const legacyFees = wei.map((gasPrice): FeeFields => ({ type: "legacy", gasPrice }));
  const anyFees = fc.oneof(eip1559Fees, legacyFees);
  const policies = fc.record({
    bumpBasisPoints: fc.bigInt({ min: 1250n, max: 100_000n }),
    maxReplacements: fc.integer({ min: 0, max: 10 }),
    maxFeePerGas: fc.option(fc.bigInt({ min: 1n, max: 10n ** 16n }), { nil: null }),
  });
  const cases = fc.record({
    previous: anyFees,
    current: anyFees,
    replacementsMade: fc.integer({ min: 0, max: 12 }),
    policy: policies,
  });
  const maxOf = (fees: FeeFields) => (fees.type === "eip1559" ? fees.maxFeePerGas : fees.gasPrice);
  const tipOf = (fees: FeeFields) => (fees.type === "eip1559" ? fees.maxPriorityFeePerGas : fees.gasPrice);

  it("property: tip ≤ max fee, both raised by ≥ the bump and ≥ the quote, never above the ceiling", () => {
    fc.assert(
      fc.property(cases, (params) => {
        const result = replacementFees(params);
        const { previous, current, policy } = params;
        if (params.replacementsMade >= policy.maxReplacements) {
          expect(result).toEqual({ exceeded: "max_replacements" });
          return;
        }
        if ("exceeded" in result) {
          expect(result.exceeded).toBe("ceiling");
          // Refused only when the smallest acceptable replacement is above the ceiling.
          const needed = (maxOf(previous) * (10_000n + policy.bumpBasisPoints) + 9_999n) / 10_000n;
          const floor = needed > maxOf(current) ? needed : maxOf(current);
          expect(policy.maxFeePerGas !== null && floor > policy.maxFeePerGas).toBe(true);
          return;
        }
        const { fees } = result;
        expect(fees.type).toBe(current.type);
        expect(tipOf(fees)).toBeLessThanOrEqual(maxOf(fees));
        // next ≥ before × (1 + bump), exactly in integers.
        for (const [next, before] of [
          [maxOf(fees), maxOf(previous)],
          [tipOf(fees), tipOf(previous)],
        ] as const)
          expect(next * 10_000n).toBeGreaterThanOrEqual(before * (10_000n + policy.bumpBasisPoints));
        expect(maxOf(fees)).toBeGreaterThanOrEqual(maxOf(current));
        expect(tipOf(fees)).toBeGreaterThanOrEqual(tipOf(current));
        if (policy.maxFeePerGas !== null) expect(maxOf(fees)).toBeLessThanOrEqual(policy.maxFeePerGas);
      }),
      { numRuns: 2_000 },
    );
  });
});
