// Per-merchant settings of fiat-priced payments (issue 21): accepted coins (the default of
// `accepts`, and its limit), display currency, validation and the audit entry. Real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, userActor } from "../access/actor";
import type { TChain } from "../config/chains";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { AppError } from "../errors";
import { createFiatPayment } from "../payments/create-fiat-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { createMerchant } from "./create-merchant";
import { getQuoteSettings, setQuoteSettings, ZSetQuoteSettings } from "./quote-settings";

let database: TestDatabase;
let chains: TChain[];
beforeAll(async () => {
  database = await createTestDatabase();
  chains = [testChain({ tokens: [{ symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 }] })];
});
afterAll(() => database.drop());

async function merchant(email: string) {
  const { merchantId } = await createMerchant(
    database.db,
    { name: "Q", email, password: "long enough pw" },
    DEVELOPMENT_MNEMONIC,
  );
  return merchantId;
}
const deps = () => ({ db: database.db, chains, actor: OPERATOR });
const set = (merchantId: string, body: unknown) =>
  setQuoteSettings(deps(), merchantId, ZSetQuoteSettings.parse(body));
const createFiat = (merchantId: string, accepts?: { chain: string; token?: string | null }[]) =>
  createFiatPayment({ ...deps(), baseUrl: "http://pay.test" }, merchantId, {
    price: { amount: "20.00", currency: "USD" },
    ...(accepts ? { accepts } : {}),
  });
const symbols = (payment: { options?: { token: { symbol: string } }[] | null }) =>
  payment.options?.map((option) => option.token.symbol);

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { code: error.code, status: error.status, message: error.message, errors: error.errors };
}

describe("quote settings: accepted coins and display currency", () => {
  it("defaults to every configured coin and USD, so existing merchants are unchanged", async () => {
    const merchantId = await merchant("defaults@example.com");
    expect(await getQuoteSettings(deps(), merchantId)).toEqual({
      object: "quote_settings",
      quote_ttl: 900,
      underpayment_tolerance: "0.00",
      accepted_coins: [
        { chain: "local", token: null },
        { chain: "local", token: "USDC" },
      ],
      display_currency: "USD",
    });
    expect(symbols(await createFiat(merchantId))).toEqual(["ETH", "USDC"]);
  });

  it("uses the accepted coins as the default of accepts and refuses a coin turned off", async () => {
    const merchantId = await merchant("usdc-only@example.com");
    const saved = await set(merchantId, {
      accepted_coins: [{ chain: "local", token: "usdc" }],
      display_currency: "eur",
    });
    expect(saved).toMatchObject({
      accepted_coins: [{ chain: "local", token: "USDC" }],
      display_currency: "EUR",
    });
    expect(symbols(await createFiat(merchantId))).toEqual(["USDC"]);
    expect(symbols(await createFiat(merchantId, [{ chain: "local", token: "USDC" }]))).toEqual(["USDC"]);

    const before = await database.db.payment.count({ where: { merchantId } });
    expect(
      await refusal(createFiat(merchantId, [{ chain: "local", token: "USDC" }, { chain: "local" }])),
    ).toEqual({
      code: "validation_failed",
      status: 422,
      message:
        "accepts.1.token: ETH on local is turned off in this merchant's accepted coins (settings/quotes)",
      errors: [{ path: "accepts.1.token", message: expect.stringContaining("turned off") }],
    });
    // The native coin named by its symbol is the same coin.
    expect((await refusal(createFiat(merchantId, [{ chain: "local", token: "ETH" }]))).status).toBe(422);
    // Unknown coins are still named as unknown, not as turned off.
    expect((await refusal(createFiat(merchantId, [{ chain: "nowhere" }]))).message).toContain(
      "unknown chain",
    );
    expect(await database.db.payment.count({ where: { merchantId } })).toBe(before);

    // Native coin on again: the default is both, in the configured order.
    await set(merchantId, { accepted_coins: [{ chain: "local", token: "USDC" }, { chain: "local" }] });
    expect(symbols(await createFiat(merchantId))).toEqual(["ETH", "USDC"]);
  });

  it("refuses unknown coins, duplicates, an empty list and unsupported currencies, changing nothing", async () => {
    const merchantId = await merchant("invalid@example.com");
    expect(
      await refusal(set(merchantId, { accepted_coins: [{ chain: "local", token: "DOGE" }] })),
    ).toMatchObject({
      status: 422,
      errors: [{ path: "accepted_coins.0.token", message: "unknown token on local" }],
    });
    expect(
      (await refusal(set(merchantId, { accepted_coins: [{ chain: "mars" }, { chain: "local" }] }))).errors,
    ).toEqual([{ path: "accepted_coins.0.chain", message: expect.stringContaining("unknown chain") }]);
    expect(
      (
        await refusal(
          set(merchantId, { accepted_coins: [{ chain: "local" }, { chain: "local", token: "ETH" }] }),
        )
      ).errors,
    ).toEqual([{ path: "accepted_coins.1.token", message: "ETH on local is listed twice" }]);
    expect(ZSetQuoteSettings.safeParse({ accepted_coins: [] }).success).toBe(false);
    expect(ZSetQuoteSettings.safeParse({ display_currency: "XYZ" }).success).toBe(false);
    expect((await getQuoteSettings(deps(), merchantId)).accepted_coins).toHaveLength(2);
  });

  it("leaves out coins no longer configured and records the change in the audit log", async () => {
    const merchantId = await merchant("audit@example.com");
    await set(merchantId, { accepted_coins: [{ chain: "local", token: "USDC" }], quote_ttl: 300 });
    const entry = await database.db.auditLogEntry.findFirstOrThrow({
      where: { merchantId, action: "settings.account_changed" },
    });
    expect(entry.details).toEqual({
      quote_ttl: 300,
      underpayment_tolerance: "0.00",
      accepted_coins: [{ chain: "local", token: "USDC" }],
      display_currency: "USD",
    });
    // USDC removed from chains.yaml: nothing accepted is configured, so a default payment is refused.
    const withoutUsdc = { ...deps(), chains: [testChain()] };
    expect((await getQuoteSettings(withoutUsdc, merchantId)).accepted_coins).toEqual([]);
    const refused = await refusal(
      createFiatPayment({ ...withoutUsdc, baseUrl: "http://pay.test" }, merchantId, {
        price: { amount: "1", currency: "USD" },
      }),
    );
    expect(refused.status).toBe(422);
  });

  it("is the owner's: an admin may read but not change it", async () => {
    const merchantId = await merchant("roles@example.com");
    const admin = userActor({ merchantId, userId: "usr_admin", role: "admin" });
    expect((await getQuoteSettings({ ...deps(), actor: admin }, merchantId)).display_currency).toBe("USD");
    expect(
      (await refusal(setQuoteSettings({ ...deps(), actor: admin }, merchantId, { display_currency: "EUR" })))
        .code,
    ).toBe("forbidden");
  });
});
