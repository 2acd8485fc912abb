import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createPayment } from "../payments/create-payment";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { createMerchant } from "./create-merchant";
import { getMerchantSettings, updateMerchantSettings, ZMerchantSettings } from "./merchant-settings";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("merchant settings", () => {
  it("updates name, brand colour and default expiry, which new payments then use", async () => {
    const { merchantId } = await createMerchant(
      database.db,
      { name: "Old name", email: "settings@example.com", password: "long enough pw" },
      DEVELOPMENT_MNEMONIC,
    );
    expect(await getMerchantSettings(database.db, merchantId)).toEqual({
      name: "Old name",
      brandColor: null,
      defaultExpiryMinutes: 30,
    });
    const input = ZMerchantSettings.parse({
      name: " New name ",
      brandColor: "#0F766E",
      defaultExpiryMinutes: "90",
    });
    expect(await updateMerchantSettings({ db: database.db, actor: OPERATOR }, merchantId, input)).toEqual({
      name: "New name",
      brandColor: "#0f766e",
      defaultExpiryMinutes: 90,
    });
    const now = new Date("2026-11-23T10:00:00Z");
    const payment = await createPayment(
      { actor: OPERATOR, db: database.db, chains: [testChain()], baseUrl: "http://pay.test", now },
      merchantId,
      { chain: "local", amount: "1" },
    );
    expect(payment.expires_at).toBe("2026-11-23T11:30:00.000Z");
  });

  it("refuses colours that are not #rrggbb (they end up in the checkout's CSS) and bad expiries", () => {
    const base = { name: "Shop", defaultExpiryMinutes: "30" };
    expect(ZMerchantSettings.parse({ ...base, brandColor: "" }).brandColor).toBeNull();
    for (const brandColor of ["red", "#fff", "#12345g", "#123456;background:url(x)"])
      expect(ZMerchantSettings.safeParse({ ...base, brandColor }).success).toBe(false);
    expect(ZMerchantSettings.safeParse({ ...base, brandColor: "", defaultExpiryMinutes: "0" }).success).toBe(
      false,
    );
    expect(
      ZMerchantSettings.safeParse({ ...base, brandColor: "", defaultExpiryMinutes: "1.5" }).success,
    ).toBe(false);
  });
});
