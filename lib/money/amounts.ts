// Exact conversions between decimal strings in token units ("12.5") and integer base units
// (12_500_000n for a 6-decimal token). No floating point anywhere.
import { AppError } from "../errors";

/** Upper bound for any amount: 2^256 - 1 base units (an EVM uint256). */
export const MAX_BASE_UNITS = 2n ** 256n - 1n;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a positive decimal string with at most `decimals` fractional digits. Rejects signs,
 * exponents, spaces, hex, empty parts ("1.", ".5"), more precision than the token has, zero and
 * anything above uint256. `path` names the field in the 422 answer.
 */
export function parseAmount(text: string, decimals: number, path = "amount"): bigint {
  const fail = (message: string) => {
    throw new AppError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
  };
  if (text.length > 100) fail("is too long");
  const match = DECIMAL.exec(text);
  if (!match) fail('must be a decimal string such as "12.5" (no sign, exponent or spaces)');
  const [, whole = "", fraction = ""] = match ?? [];
  if (fraction.length > decimals)
    fail(
      decimals === 0
        ? "must be a whole number for this token"
        : `has more than ${decimals} decimal places for this token`,
    );
  const baseUnits = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (baseUnits === 0n) fail("must be greater than zero");
  if (baseUnits > MAX_BASE_UNITS) fail("is too large");
  return baseUnits;
}

/** Formats base units as the shortest exact decimal string ("12.5", "0.000001", "3"). */
export function formatAmount(baseUnits: bigint, decimals: number): string {
  const negative = baseUnits < 0n;
  const digits = (negative ? -baseUnits : baseUnits).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
