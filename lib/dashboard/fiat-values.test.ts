// Fiat values in the dashboard (issue 21): the overview's totals in the display currency (fiat
// payments' own values, single-coin payments converted only where a rate exists), the CSV's fiat
// columns and the new-payment form's "price in fiat" variant. Real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import type { TChain } from "../config/chains";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { createMerchant } from "../merchants/create-merchant";
import { createFiatPayment, ZCreateFiatPayment } from "../payments/create-fiat-payment";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { exportPaymentsCsv } from "./export-payments-csv";
import { formErrorsOf } from "./form-errors";
import { getFiatTotals } from "./get-fiat-totals";
import { ZNewFiatPaymentForm } from "./payment-form";

let database: TestDatabase;
let chains: TChain[];
let merchantId: string;
const baseUrl = "http://pay.test";
const NOW = new Date("2026-03-10T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  chains = [
    testChain({
      tokens: [
        { symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 },
        // No entry in rates.yaml: it can never be valued in fiat.
        { symbol: "ODD", address: "0x00000000000000000000000000000000000000dd", decimals: 18 },
      ],
    }),
  ];
  ({ merchantId } = await createMerchant(
    database.db,
    { name: "fiat", email: "fiat-values@example.com", password: "long enough pw" },
    DEVELOPMENT_MNEMONIC,
  ));
});
afterAll(() => database.drop());

const deps = () => ({ actor: OPERATOR, db: database.db, chains, baseUrl, now: NOW });
async function confirm(id: string, fields: { amountReceived?: bigint; valueReceived?: bigint }) {
  await database.db.payment.update({
    where: { id },
    data: {
      status: "confirmed",
      confirmedAt: NOW,
      ...(fields.amountReceived === undefined ? {} : { amountReceived: fields.amountReceived.toString() }),
      ...(fields.valueReceived === undefined ? {} : { valueReceived: fields.valueReceived.toString() }),
    },
  });
}

describe("fiat values in the dashboard", () => {
  it("totals in the display currency without inventing a value, and exports price and value", async () => {
    const usd = await createFiatPayment(deps(), merchantId, {
      price: { amount: "20.00", currency: "USD" },
      accepts: [{ chain: "local", token: "USDC" }],
      order_id: "fiat-1",
    });
    await confirm(usd.id, { amountReceived: 20_000_000n, valueReceived: 2000n });
    const eur = await createFiatPayment(deps(), merchantId, {
      price: { amount: "5", currency: "EUR" },
      accepts: [{ chain: "local", token: "USDC" }],
    });
    await confirm(eur.id, { valueReceived: 500n });
    const eth = await createPayment(deps(), merchantId, { chain: "local", amount: "0.5" });
    await confirm(eth.id, { amountReceived: 500_000_000_000_000_001n });
    const odd = await createPayment(deps(), merchantId, { chain: "local", token: "ODD", amount: "7" });
    await confirm(odd.id, { amountReceived: 7n * 10n ** 18n });
    await createPayment(deps(), merchantId, { chain: "local", amount: "9" }); // pending: not counted

    const usdTotals = await getFiatTotals(deps(), merchantId, "USD", { now: NOW });
    // 20.00 + 0.500000000000000001 ETH × 3000 (devnet rate) = 1500.00 (rounded down), ODD and EUR left out.
    expect(usdTotals).toEqual({
      currency: "USD",
      total: "1520.00",
      fromFiatPayments: "20.00",
      converted: [
        { chain: "local", symbol: "ETH", amount: "0.500000000000000001 ETH", value: "1500.00", rate: "3000" },
      ],
      notConverted: [
        {
          label: "priced in EUR",
          amount: "5.00 EUR",
          reason: "payments priced in EUR are not converted to USD",
        },
        { label: "ODD on local", amount: "7 ODD", reason: "no rate available" },
      ],
    });
    const eurTotals = await getFiatTotals(deps(), merchantId, "EUR", { now: NOW });
    expect(eurTotals.total).toBe("1385.00"); // 5.00 EUR + 0.5 ETH × 2760
    expect(eurTotals.notConverted.map((entry) => entry.label)).toEqual(["priced in USD", "ODD on local"]);
    // Outside the window: nothing.
    const later = await getFiatTotals(deps(), merchantId, "USD", { now: new Date("2026-06-01T00:00:00Z") });
    expect(later).toMatchObject({ total: "0.00", converted: [], notConverted: [] });

    let csv = "";
    for await (const chunk of exportPaymentsCsv(database.db, merchantId, {}, baseUrl)) csv += chunk;
    const [header, ...rows] = csv.trimEnd().split("\r\n");
    expect(header?.endsWith(",price_amount,price_currency,value_received")).toBe(true);
    expect(rows.find((row) => row.startsWith(usd.id))?.endsWith(",20.00,USD,20.00")).toBe(true);
    const ethRow = rows.find((row) => row.startsWith(eth.id));
    expect(ethRow).toContain(",0.5,0.500000000000000001,");
    expect(ethRow?.endsWith(",,,")).toBe(true);
  });

  it("turns the new-payment form's fiat variant into the API's input, with plain messages", () => {
    const parse = (form: Record<string, unknown>) => ZNewFiatPaymentForm.pipe(ZCreateFiatPayment).parse(form);
    expect(
      parse({
        price_amount: " 20.00 ",
        price_currency: "USD",
        accepts: ["local:USDC"],
        expires_in_minutes: "",
      }),
    ).toEqual({ price: { amount: "20.00", currency: "USD" }, accepts: [{ chain: "local", token: "USDC" }] });
    // No coin ticked: every accepted coin (no `accepts`).
    expect(parse({ price_amount: "3", price_currency: "EUR", order_id: "o" })).toEqual({
      price: { amount: "3", currency: "EUR" },
      order_id: "o",
    });
    const errors = (() => {
      try {
        parse({ price_amount: "", price_currency: "XYZ" });
      } catch (error) {
        return formErrorsOf(error)?.fieldErrors;
      }
    })();
    expect(errors).toEqual({
      price_amount: "Enter the price, for example 20.00.",
      price_currency: "Choose one of the currencies offered.",
    });
  });
});
