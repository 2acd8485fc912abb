import { describe, expect, it } from "vitest";
import { ZSetQuoteSettings } from "../merchants/quote-settings";
import { testChain } from "../testing/test-chain";
import { formErrorsOf } from "./form-errors";
import { coinChoices, coinChoiceValue, ZQuoteSettingsForm } from "./quote-settings-form";

const chain = testChain({
  name: "base",
  chainId: 8453,
  tokens: [{ symbol: "USDC", address: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", decimals: 6 }],
});
const parse = (form: Record<string, unknown>) => ZQuoteSettingsForm.pipe(ZSetQuoteSettings).parse(form);

describe("the Prices in fiat settings form", () => {
  it("turns minutes, percent and ticked coins into the API's quote settings", () => {
    expect(
      parse({
        quote_ttl_minutes: "10",
        underpayment_tolerance: " 0.5 ",
        accepted_coins: ["base:ETH", "base:USDC"],
        display_currency: "EUR",
      }),
    ).toEqual({
      quote_ttl: 600,
      underpayment_tolerance: "0.5",
      accepted_coins: [
        { chain: "base", token: "ETH" },
        { chain: "base", token: "USDC" },
      ],
      display_currency: "EUR",
    });
  });

  it("gives one plain message per field", () => {
    const result = (() => {
      try {
        parse({
          quote_ttl_minutes: "0",
          underpayment_tolerance: "12",
          accepted_coins: [],
          display_currency: "",
        });
      } catch (error) {
        return formErrorsOf(error);
      }
    })();
    expect(result).toEqual({
      error: "Check the highlighted fields.",
      fieldErrors: {
        quote_ttl_minutes: "At least 1 minute.",
        underpayment_tolerance: "At most 10 percent.",
        accepted_coins: "Choose at least one coin to accept.",
        display_currency: "Choose a currency.",
      },
    });
  });

  it("labels coins with the friendly network name and maps native coins both ways", () => {
    expect(coinChoices([chain])).toEqual([
      { value: "base:ETH", label: "ETH on Base" },
      { value: "base:USDC", label: "USDC on Base" },
    ]);
    expect(coinChoiceValue([chain], { chain: "base", token: null })).toBe("base:ETH");
    expect(coinChoiceValue([chain], { chain: "base", token: "USDC" })).toBe("base:USDC");
  });
});
