import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { formatAmount, MAX_BASE_UNITS, parseAmount } from "./amounts";

describe("parseAmount", () => {
  it.each([
    ["12.5", 6, 12_500_000n],
    ["0.000001", 6, 1n],
    ["1", 18, 10n ** 18n],
    ["0.1", 18, 100_000_000_000_000_000n],
    ["123456789012345678901234567890.123456", 6, 123456789012345678901234567890123456n],
    ["007.50", 2, 750n],
    ["5", 0, 5n],
  ])("%s with %i decimals is %s base units", (text, decimals, expected) => {
    expect(parseAmount(text, decimals)).toBe(expected);
  });

  it.each([
    ["0", "must be greater than zero"],
    ["0.000000", "must be greater than zero"],
    ["-1", "decimal string"],
    ["+1", "decimal string"],
    ["1e6", "decimal string"],
    ["1.", "decimal string"],
    [".5", "decimal string"],
    [" 1", "decimal string"],
    ["0x10", "decimal string"],
    ["1,5", "decimal string"],
    ["", "decimal string"],
    ["1.0000001", "more than 6 decimal places"],
    ["9".repeat(80), "too large"],
    ["1".repeat(101), "too long"],
  ])("rejects %j (%s)", (text, reason) => {
    expect(() => parseAmount(text, 6)).toThrow(AppError);
    expect(() => parseAmount(text, 6)).toThrow(reason);
  });

  it("accepts exactly uint256 max and nothing above", () => {
    expect(parseAmount(MAX_BASE_UNITS.toString(), 0)).toBe(MAX_BASE_UNITS);
    expect(() => parseAmount((MAX_BASE_UNITS + 1n).toString(), 0)).toThrow("too large");
  });
});

describe("formatAmount", () => {
  it.each([
    [12_500_000n, 6, "12.5"],
    [1n, 6, "0.000001"],
    [0n, 6, "0"],
    [10n ** 18n, 18, "1"],
    [-1_500n, 3, "-1.5"],
    [5n, 0, "5"],
  ])("%s base units with %i decimals is %s", (baseUnits, decimals, expected) => {
    expect(formatAmount(baseUnits, decimals)).toBe(expected);
  });

  it("round-trips with parseAmount", () => {
    for (const text of ["1", "0.5", "12.345678", "1000000", "0.000001"])
      expect(formatAmount(parseAmount(text, 6), 6)).toBe(text);
  });
});
