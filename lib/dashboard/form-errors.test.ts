// The dashboard's forms show the services' own validation messages per field.

import { zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
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
  it("maps setTreasurySetting's validation failures (zod and AppError) to the address field", async () => {
    const set = (address: string | null, chain = "local") =>
      setTreasurySetting({ db: database.db, chains: [testChain()], actor: OPERATOR }, merchantId, {
        chain,
        address,
      });
    expect((await errorsOf(set("0x1234")))?.fieldErrors).toEqual({
      address: "must be a 0x-prefixed 20-byte hex address",
    });
    expect((await errorsOf(set(zeroAddress)))?.fieldErrors).toEqual({
      address: "must not be the zero address",
    });
    expect((await errorsOf(set(null)))?.fieldErrors).toEqual({ address: "required in treasury mode" });
    expect((await errorsOf(set(`0x${"1".repeat(40)}`, "mars")))?.fieldErrors.chain).toMatch(/unknown chain/);

    const payment = await createPayment(
      { db: database.db, chains: [testChain()], baseUrl: "http://pay.test" },
      merchantId,
      { chain: "local", amount: "1" },
    );
    const deposit = await errorsOf(set(payment.address));
    expect(deposit?.fieldErrors.address).toMatch(/deposit address of this gateway/);
    expect(deposit?.error).toMatch(/^address: /);
  });

  it("maps a webhook endpoint's zod errors and leaves other errors to the caller", async () => {
    const parsed = ZCreateWebhookEndpoint.safeParse({ url: "ftp://x.example", enabled_events: ["nope"] });
    expect(formErrorsOf(parsed.error)?.fieldErrors).toEqual({
      url: "must be an http or https URL",
      enabled_events: expect.any(String),
    });
    expect(formErrorsOf(new Error("database down"))).toBeNull();
  });
});
