import { describe, expect, it } from "vitest";
import { paymentProgress } from "./payment-progress";

const usdc = (amount: string, received: string) => ({
  amount,
  amount_base_units: String(BigInt(Math.round(Number(amount) * 1e6))),
  amount_received: received,
  amount_received_base_units: String(BigInt(Math.round(Number(received) * 1e6))),
  token: { symbol: "USDC", decimals: 6 },
});

describe("paymentProgress", () => {
  it("says how much of a partly paid payment arrived and what remains", () => {
    expect(paymentProgress(usdc("40", "15"))).toEqual({
      kind: "partial",
      badge: "15 of 40 USDC paid",
      remaining: "25",
      excess: "0",
    });
  });

  it("names an overpayment and its excess, and says nothing for none or exact", () => {
    expect(paymentProgress(usdc("40", "40.5"))).toMatchObject({
      kind: "over",
      badge: "40.5 of 40 USDC paid (0.5 USDC over)",
      remaining: "0",
    });
    expect(paymentProgress(usdc("40", "0")).badge).toBeNull();
    expect(paymentProgress(usdc("40", "40"))).toMatchObject({ kind: null, badge: null, remaining: "0" });
  });

  it("stays exact with 18 decimals", () => {
    const progress = paymentProgress({
      amount: "1",
      amount_base_units: "1000000000000000000",
      amount_received: "0.999999999999999999",
      amount_received_base_units: "999999999999999999",
      token: { symbol: "ETH", decimals: 18 },
    });
    expect(progress.remaining).toBe("0.000000000000000001");
  });
});
