import { describe, expect, it } from "vitest";
import { normalizeDecimalInput } from "./decimal-input";

describe("normalizeDecimalInput", () => {
  it("keeps a dot decimal and whole numbers as typed", () => {
    expect(normalizeDecimalInput(" 12.50 ")).toEqual({ ok: true, value: "12.50" });
    expect(normalizeDecimalInput("40")).toEqual({ ok: true, value: "40" });
  });

  it("converts a decimal comma exactly, keeping every digit", () => {
    expect(normalizeDecimalInput("12,50")).toEqual({ ok: true, value: "12.50" });
    expect(normalizeDecimalInput("0,000000000000000001")).toEqual({
      ok: true,
      value: "0.000000000000000001",
    });
    expect(normalizeDecimalInput("1234567,80")).toEqual({ ok: true, value: "1234567.80" });
  });

  it.each([
    "1,234.50",
    "1.234,50",
    "1,234,567",
    "1.234.567",
    "1 234",
    "1'234.5",
    "12,",
    ",5",
    "12.",
    "1,2,3",
  ])("refuses the ambiguous %s with one plain message instead of guessing", (input) => {
    const result = normalizeDecimalInput(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/thousands separators|positive number/);
  });

  it("refuses signs, exponents and words in plain language", () => {
    for (const input of ["-5", "1e3", "abc", "0x10"]) {
      expect(normalizeDecimalInput(input)).toEqual({
        ok: false,
        message: "Enter a positive number, for example 12.50.",
      });
    }
    expect(normalizeDecimalInput("  ")).toEqual({ ok: false, message: "Enter an amount." });
  });
});

describe("dashboard forms take a decimal comma", () => {
  it("new payment: 12,50 becomes 12.50; an empty or ambiguous amount is one plain message", async () => {
    const { ZNewPaymentForm } = await import("../dashboard/payment-form");
    expect(ZNewPaymentForm.parse({ chain: "local", token: "USDC", amount: "12,50" }).amount).toBe("12.50");
    const empty = ZNewPaymentForm.safeParse({ chain: "local", token: "USDC", amount: " " });
    expect(empty.error?.issues.map((issue) => [issue.path[0], issue.message])).toEqual([
      ["amount", "Enter an amount."],
    ]);
    const ambiguous = ZNewPaymentForm.safeParse({ chain: "local", token: "USDC", amount: "1.234,50" });
    expect(ambiguous.error?.issues).toHaveLength(1);
    expect(ambiguous.error?.issues[0]?.message).toMatch(/thousands separators/);
  });

  it("refund and payout limits: a decimal comma is converted exactly", async () => {
    const { ZPayoutLimitsForm, ZRefundForm } = await import("../dashboard/payout-form");
    const refund = ZRefundForm.safeParse({
      address: "0x000000000000000000000000000000000000dEaD",
      amount: "0,5",
    });
    expect(refund.success && refund.data.amount).toBe("0.5");
    const limits = ZPayoutLimitsForm.safeParse({
      chain: "local",
      token: "USDC",
      max_per_payout: "100,25",
      max_per_day: "1000",
      auto_approve_below: "",
    });
    expect(limits.success).toBe(true);
    expect(limits.data?.max_per_payout).toBe("100.25");
    expect(limits.data?.auto_approve_below ?? null).toBeNull();
  });
});
