import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import {
  baseUnitsToFiat,
  CURRENCY_MINOR_UNITS,
  compareRates,
  fiatToBaseUnits,
  formatFiatAmount,
  medianRate,
  minorUnitsOf,
  multiplyRates,
  normalizeRate,
  parseCurrency,
  parseFiatAmount,
  parseRate,
  rateWithinPercent,
  type TCurrency,
  ZCurrency,
  ZRate,
} from "./fiat";

/** Currencies with 0, 2 and 3 minor units. */
const CURRENCIES: TCurrency[] = ["JPY", "USD", "EUR", "KWD"];
/** A rate: up to 7 integer digits and up to 12 fraction digits, never zero (e.g. "3150.25", "0.000123"). */
const rateArb = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 19n - 1n }), fc.integer({ min: 0, max: 12 }))
  .map(([numerator, scale]) => normalizeRate(formatRaw(numerator, scale)));
const decimalsArb = fc.constantFrom(6, 18, 0, 8);
const currencyArb = fc.constantFrom(...CURRENCIES);
const minorArb = fc.bigInt({ min: 0n, max: 10n ** 15n });

function formatRaw(numerator: bigint, scale: number): string {
  const digits = numerator.toString().padStart(scale + 1, "0");
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

describe("currencies", () => {
  it("knows the ISO 4217 minor units", () => {
    expect(minorUnitsOf("USD")).toBe(2);
    expect(minorUnitsOf("JPY")).toBe(0);
    expect(minorUnitsOf("KWD")).toBe(3);
    for (const code of ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD"])
      expect(code in CURRENCY_MINOR_UNITS).toBe(true);
    expect(ZCurrency.safeParse("usd").success).toBe(false);
    expect(ZCurrency.safeParse("XXX").success).toBe(false);
  });

  it("parses a request's currency case-insensitively and refuses others with a 400", () => {
    expect(parseCurrency("eur")).toBe("EUR");
    for (const bad of ["", "US", "XXX", "BTC", "usd;", undefined])
      expect(() => parseCurrency(bad)).toThrowError(
        expect.objectContaining({ code: "bad_request", status: 400 }),
      );
  });

  it.each([
    ["20.00", "USD", 2000n, "20.00"],
    ["20", "USD", 2000n, "20.00"],
    ["0.5", "EUR", 50n, "0.50"],
    ["1500", "JPY", 1500n, "1500"],
    ["1.234", "KWD", 1234n, "1.234"],
  ] as const)("%s %s is %s minor units, formatted %s", (text, currency, minor, formatted) => {
    expect(parseFiatAmount(text, currency)).toBe(minor);
    expect(formatFiatAmount(minor, currency)).toBe(formatted);
  });

  it.each([
    ["20.001", "USD"],
    ["1.5", "JPY"],
    ["-1", "USD"],
    ["1e3", "USD"],
    ["0.00", "USD"],
    [" 1", "USD"],
  ] as const)("refuses %j in %s with a 422", (text, currency) => {
    expect(() => parseFiatAmount(text, currency, "price.amount")).toThrow(AppError);
    expect(() => parseFiatAmount(text, currency, "price.amount")).toThrow("price.amount");
  });

  it("formats and parses back every amount exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 30n }), currencyArb, (minor, currency) => {
        expect(parseFiatAmount(formatFiatAmount(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});

describe("rates", () => {
  it("are positive exact decimal strings", () => {
    expect(normalizeRate("3150.2500")).toBe("3150.25");
    expect(normalizeRate("007")).toBe("7");
    for (const bad of [
      "0",
      "0.000",
      "-1",
      "1e3",
      "1.",
      ".5",
      "3,150.25",
      " 1",
      "NaN",
      "Infinity",
      "0x10",
      "",
    ])
      expect(ZRate.safeParse(bad).success, bad).toBe(false);
    expect(ZRate.safeParse("0.00000001").success).toBe(true);
  });

  it("compare exactly, whatever their scale", () => {
    expect(compareRates("3150.25", "3150.250")).toBe(0);
    expect(compareRates("3150.249999999999999999", "3150.25")).toBe(-1);
    expect(compareRates("10", "9.99")).toBe(1);
  });

  it("median: the middle one, or the exact mean of the two middle ones", () => {
    expect(medianRate(["3000"])).toBe("3000");
    expect(medianRate(["3100", "2900", "3000"])).toBe("3000");
    expect(medianRate(["3000", "3001"])).toBe("3000.5");
    expect(medianRate(["0.1", "0.2", "100", "0.15"])).toBe("0.175");
    expect(medianRate(["3000.01", "3000.02"])).toBe("3000.015");
    expect(() => medianRate([])).toThrow();
    fc.assert(
      fc.property(fc.array(rateArb, { minLength: 1, maxLength: 9 }), (rates) => {
        const median = medianRate(rates);
        const sorted = [...rates].sort(compareRates);
        expect(compareRates(median, sorted[0] as string)).toBeGreaterThanOrEqual(0);
        expect(compareRates(median, sorted.at(-1) as string)).toBeLessThanOrEqual(0);
        expect(medianRate([...rates].reverse())).toBe(median);
      }),
    );
  });

  it("deviation from a reference, exactly", () => {
    expect(rateWithinPercent("3300", "3000", 10)).toBe(true);
    expect(rateWithinPercent("3300.000001", "3000", 10)).toBe(false);
    expect(rateWithinPercent("2700", "3000", 10)).toBe(true);
    expect(rateWithinPercent("2699.99", "3000", 10)).toBe(false);
    expect(rateWithinPercent("3000", "3000", 1)).toBe(true);
  });

  it("multiply exactly (cross rates)", () => {
    expect(multiplyRates("3000", "0.92")).toBe("2760");
    expect(multiplyRates("1.5", "1.5")).toBe("2.25");
    fc.assert(
      fc.property(rateArb, rateArb, (a, b) => {
        const product = parseRate(multiplyRates(a, b));
        const x = parseRate(a);
        const y = parseRate(b);
        // Exact unless the product needs more than 36 fraction digits (it cannot with these inputs).
        expect(product.numerator * 10n ** BigInt(x.scale + y.scale)).toBe(
          x.numerator * y.numerator * 10n ** BigInt(product.scale),
        );
      }),
    );
  });
});

describe("fiatToBaseUnits / baseUnitsToFiat", () => {
  it("examples: 20.00 USD at 3000 USD/ETH is 0.006666…67 ETH (rounded up), 20 USDC at the peg", () => {
    expect(fiatToBaseUnits(2000n, "USD", "3000", 18)).toBe(6_666_666_666_666_667n);
    expect(baseUnitsToFiat(6_666_666_666_666_667n, "USD", "3000", 18)).toBe(2000n);
    expect(baseUnitsToFiat(6_666_666_666_666_666n, "USD", "3000", 18)).toBe(1999n);
    expect(fiatToBaseUnits(2000n, "USD", "1", 6)).toBe(20_000_000n);
    expect(baseUnitsToFiat(20_000_000n, "USD", "1", 6)).toBe(2000n);
    expect(fiatToBaseUnits(1500n, "JPY", "150", 6)).toBe(10_000_000n);
    expect(fiatToBaseUnits(1n, "USD", "0.92", 6)).toBe(10_870n); // 0.01 / 0.92 = 0.010869565… → up
    expect(fiatToBaseUnits(0n, "USD", "3000", 18)).toBe(0n);
  });

  it("round trip: the amount asked is worth at least the price, one base unit less is worth less", () => {
    fc.assert(
      fc.property(minorArb, currencyArb, rateArb, decimalsArb, (price, currency, rate, decimals) => {
        const amount = fiatToBaseUnits(price, currency, rate, decimals);
        expect(baseUnitsToFiat(amount, currency, rate, decimals)).toBeGreaterThanOrEqual(price);
        if (amount > 0n) expect(baseUnitsToFiat(amount - 1n, currency, rate, decimals)).toBeLessThan(price);
      }),
      { numRuns: 2_000 },
    );
  });

  it("round trip bound: the overpayment is less than one base unit's worth (plus the minor-unit floor)", () => {
    fc.assert(
      fc.property(minorArb, currencyArb, rateArb, decimalsArb, (price, currency, rate, decimals) => {
        const amount = fiatToBaseUnits(price, currency, rate, decimals);
        const { numerator, scale } = parseRate(rate);
        // Exact value of the amount asked, in minor units × 10^(decimals + scale):
        const exact = amount * numerator * 10n ** BigInt(minorUnitsOf(currency));
        const priceScaled = price * 10n ** BigInt(decimals + scale);
        const oneUnit = numerator * 10n ** BigInt(minorUnitsOf(currency));
        expect(exact - priceScaled).toBeGreaterThanOrEqual(0n);
        expect(exact - priceScaled).toBeLessThan(oneUnit);
      }),
      { numRuns: 2_000 },
    );
  });

  it("no drift: value is additive up to one minor unit per part, never above the whole", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 24n }), { minLength: 1, maxLength: 12 }),
        currencyArb,
        rateArb,
        decimalsArb,
        (parts, currency, rate, decimals) => {
          const whole = parts.reduce((sum, part) => sum + part, 0n);
          const summed = parts.reduce(
            (sum, part) => sum + baseUnitsToFiat(part, currency, rate, decimals),
            0n,
          );
          const direct = baseUnitsToFiat(whole, currency, rate, decimals);
          expect(summed).toBeLessThanOrEqual(direct);
          expect(direct - summed).toBeLessThan(BigInt(parts.length));
        },
      ),
    );
  });

  it("is monotonic: more base units are never worth less, a higher price never asks for less", () => {
    fc.assert(
      fc.property(minorArb, minorArb, currencyArb, rateArb, decimalsArb, (a, b, currency, rate, decimals) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(fiatToBaseUnits(low, currency, rate, decimals)).toBeLessThanOrEqual(
          fiatToBaseUnits(high, currency, rate, decimals),
        );
        expect(baseUnitsToFiat(low, currency, rate, decimals)).toBeLessThanOrEqual(
          baseUnitsToFiat(high, currency, rate, decimals),
        );
      }),
    );
  });

  it("a 6-decimal stablecoin at the peg converts both ways without any loss", () => {
    fc.assert(
      fc.property(minorArb, fc.constantFrom<TCurrency>("USD", "EUR"), (price, currency) => {
        const amount = fiatToBaseUnits(price, currency, "1", 6);
        expect(amount).toBe(price * 10_000n);
        expect(baseUnitsToFiat(amount, currency, "1", 6)).toBe(price);
      }),
    );
  });

  it("refuses negative amounts and malformed rates", () => {
    expect(() => fiatToBaseUnits(-1n, "USD", "1", 6)).toThrow(RangeError);
    expect(() => baseUnitsToFiat(-1n, "USD", "1", 6)).toThrow(RangeError);
    expect(() => fiatToBaseUnits(1n, "USD", "0", 6)).toThrow(RangeError);
    expect(() => fiatToBaseUnits(1n, "USD", "1e3", 6)).toThrow(RangeError);
  });
});
