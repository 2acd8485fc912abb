// The dashboard's forms show the services' own validation messages per field.

import { zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createPayment } from "../payments/create-payment";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { ZCreateWebhookEndpoint } from "../webhooks/webhook-endpoint-object";
import { formErrorsOf } from "./form-errors";

let database: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  merchantId = (
    await createMerchant(
      database.db,
      { name: "f", email: "f@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    )
  ).merchantId;
});
afterAll(() => database.drop());

async function errorsOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  return formErrorsOf(error);
}

describe("formErrorsOf", () => {
  it("maps setTreasurySetting's validation failures (zod and AppError) to one plain message on the address field", async () => {
    const set = (address: string | null, chain = "local") =>
      setTreasurySetting({ actor: OPERATOR, db: database.db, chains: [testChain()] }, merchantId, {
        chain,
        address,
      });
    expect((await errorsOf(set("0x1234")))?.fieldErrors).toEqual({
      address: "Enter an address that starts with 0x followed by 40 letters and digits.",
    });
    expect((await errorsOf(set(zeroAddress)))?.fieldErrors).toEqual({
      address: "This is the zero address: anything sent there is lost. Enter a real address.",
    });
    expect((await errorsOf(set(null)))?.fieldErrors).toEqual({
      address: "Enter your treasury address, or choose balance mode.",
    });
    expect((await errorsOf(set(`0x${"1".repeat(40)}`, "mars")))?.fieldErrors.chain).toBe(
      "Choose a network from the list.",
    );

    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains: [testChain()], baseUrl: "http://pay.test" },
      merchantId,
      { chain: "local", amount: "1" },
    );
    const deposit = await errorsOf(set(payment.address));
    expect(deposit?.fieldErrors.address).toMatch(/deposit address of this gateway/);
    // The form-level line points at the field instead of repeating its message.
    expect(deposit?.error).toBe("Check the highlighted fields.");
  });

  it("maps a webhook endpoint's zod errors and leaves other errors to the caller", async () => {
    const parsed = ZCreateWebhookEndpoint.safeParse({ url: "ftp://x.example", enabled_events: ["nope"] });
    expect(formErrorsOf(parsed.error)?.fieldErrors).toEqual({
      url: "Enter a web address that starts with https:// or http://.",
      enabled_events: expect.any(String),
    });
    expect(formErrorsOf(new Error("database down"))).toBeNull();
  });

  it("turns the API's amount jargon into one plain sentence, and keeps what is already plain", () => {
    const amount = (message: string) =>
      formErrorsOf(
        new AppError("validation_failed", `amount: ${message}`, { errors: [{ path: "amount", message }] }),
      );
    expect(amount('must be a decimal string such as "12.5" (no sign, exponent or spaces)')).toEqual({
      error: "Check the highlighted fields.",
      fieldErrors: { amount: "Enter a positive number, for example 12.50." },
    });
    expect(amount("has more than 6 decimal places for this token")?.fieldErrors.amount).toBe(
      "This token has at most 6 decimals: enter fewer digits after the decimal mark.",
    );
    expect(amount("exceeds the available balance of 0 ETH")?.fieldErrors.amount).toBe(
      "exceeds the available balance of 0 ETH",
    );
  });
});
