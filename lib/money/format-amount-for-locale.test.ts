import { describe, expect, it } from "vitest";
import { formatDecimalForLocale, formatTokenAmount } from "./format-amount-for-locale";

describe("formatDecimalForLocale", () => {
  it("groups the integer part and keeps the decimals exactly, per locale", () => {
    expect(formatTokenAmount("1234567.80", "USDC", "en-US")).toBe("1,234,567.80 USDC");
    expect(formatTokenAmount("1234567.8", "USDC", "en-US")).toBe("1,234,567.80 USDC");
    expect(formatDecimalForLocale("1234567.80", "de-DE")).toBe("1.234.567,80");
    expect(formatDecimalForLocale("1234567.80", "fr-FR")).toMatch(/^1\u202f234\u202f567,80$/);
    expect(formatDecimalForLocale("12345678", "en-IN")).toBe("1,23,45,678.00");
  });

  it("never rounds: 18 decimals and integers beyond 2^53 keep every digit", () => {
    expect(formatDecimalForLocale("0.000000000000000001", "en-US")).toBe("0.000000000000000001");
    expect(formatDecimalForLocale("123456789012345678901234567890.123456789", "en-US")).toBe(
      "123,456,789,012,345,678,901,234,567,890.123456789",
    );
    // A float would print 9007199254740993 as …992.
    expect(formatDecimalForLocale("9007199254740993", "en-US", 0)).toBe("9,007,199,254,740,993");
  });

  it("leaves anything that is not a plain decimal alone", () => {
    expect(formatDecimalForLocale("—", "en-US")).toBe("—");
    expect(formatDecimalForLocale("1e21", "en-US")).toBe("1e21");
  });
});
