import { z } from "zod";

/**
 * How a chain charges for a transaction: `eip1559` (base fee + tip), `legacy` (one gas price),
 * `op-stack` (EIP-1559 plus an L1 data fee from the GasPriceOracle predeploy) or `arbitrum`
 * (EIP-1559, gas limits that include the L1 cost: always estimated). Detected when omitted.
 */
export const FEE_MODELS = ["eip1559", "legacy", "op-stack", "arbitrum"] as const;
export const ZFeeModel = z.enum(FEE_MODELS);
export type TFeeModel = z.infer<typeof ZFeeModel>;

/** Nodes refuse a replacement that bumps either fee by less than 10 %; 12.5 % leaves a margin. */
export const MIN_BUMP_PERCENT = "12.5";

/**
 * An exact decimal written in YAML: a string (`"1.5"`) or a number. With `wholeNumbersOnly` a
 * fractional YAML number is refused (it is a float by the time it reaches us; amounts are never
 * floats here); a percentage may be written `12.5`, whose shortest form is exact at two decimals.
 */
function exactDecimal(maxDecimals: number, options: { wholeNumbersOnly: boolean }) {
  const pattern = new RegExp(`^\\d{1,18}(\\.\\d{1,${maxDecimals}})?$`);
  const hint = options.wholeNumbersOnly ? ', quoted when it has decimals ("1.5")' : "";
  return z
    .union([z.string(), z.number()], { error: `a decimal number${hint}` })
    .refine(
      (value) => typeof value === "string" || !options.wholeNumbersOnly || Number.isSafeInteger(value),
      `write fractional values as a quoted string ("1.5")`,
    )
    .transform(String)
    .refine(
      (value) => pattern.test(value),
      `a non-negative decimal with at most ${maxDecimals} decimals${hint}`,
    );
}

/** Gwei with at most 9 decimals: converts exactly to wei. */
const ZGwei = exactDecimal(9, { wholeNumbersOnly: true }).refine(
  (value) => /[1-9]/.test(value),
  "must be greater than 0",
);

/** A percentage with at most two decimals (exact in basis points). */
const ZBumpPercent = exactDecimal(2, { wholeNumbersOnly: false }).refine(
  (value) => compareDecimals(value, MIN_BUMP_PERCENT) >= 0 && compareDecimals(value, "1000") <= 0,
  `between ${MIN_BUMP_PERCENT} (nodes require ≥ 10 %) and 1000`,
);

/**
 * How outgoing transactions on the chain are replaced when stuck (lib/transactions/fees
 * `transactionPolicyOf` gives it in exact units with its defaults).
 */
export const ZTransactionPolicy = z
  .strictObject({
    /** Seconds without a receipt before a transaction counts as stuck (default max(60, 30 blocks)). */
    stuckAfterSeconds: z.number().int().positive().max(86_400).optional(),
    /** Each replacement raises both fees by at least this percentage (default 12.5). */
    bumpPercent: ZBumpPercent.optional(),
    /** Replacements of one transaction before it is paused for an operator (default 5). */
    maxReplacements: z.number().int().min(0).max(100).optional(),
    /** Ceiling of the max fee per gas (gwei, decimal string): never sent above it. */
    maxFeePerGasGwei: ZGwei.optional(),
    /** Cap of the priority fee (tip) per gas the quote takes from the node (gwei, decimal string). */
    maxPriorityFeePerGasGwei: ZGwei.optional(),
  })
  .superRefine((policy, ctx) => {
    const { maxFeePerGasGwei: ceiling, maxPriorityFeePerGasGwei: tipCap } = policy;
    if (ceiling && tipCap && compareDecimals(tipCap, ceiling) > 0)
      ctx.addIssue({
        code: "custom",
        path: ["maxPriorityFeePerGasGwei"],
        message: "must not be above maxFeePerGasGwei",
      });
  });
export type TTransactionPolicyConfig = z.infer<typeof ZTransactionPolicy>;

/** Compares two non-negative decimal strings exactly. */
function compareDecimals(a: string, b: string): number {
  const [aWhole = "", aFraction = ""] = a.split(".");
  const [bWhole = "", bFraction = ""] = b.split(".");
  const width = Math.max(aFraction.length, bFraction.length);
  const left = BigInt(aWhole + aFraction.padEnd(width, "0"));
  const right = BigInt(bWhole + bFraction.padEnd(width, "0"));
  return left === right ? 0 : left > right ? 1 : -1;
}
