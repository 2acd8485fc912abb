import { describe, expect, it } from "vitest";
import { DEVELOPMENT_MNEMONIC, DEVELOPMENT_SECRET, parseEnv } from "./env";

describe("parseEnv", () => {
  it("runs on embedded defaults with no configuration", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, CTRIP_DATA_DIR: ".data", WALLET_MNEMONIC: DEVELOPMENT_MNEMONIC });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("names the variable and the reason", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/PORT: /);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: /);
    expect(() => parseEnv({ APP_SECRET: "short" })).toThrow(/APP_SECRET: must be at least 32 characters/);
    // A typo in the seed would derive other addresses.
    expect(() =>
      parseEnv({ WALLET_MNEMONIC: "test test test test test test test test test test test jumk" }),
    ).toThrow(/WALLET_MNEMONIC: not a valid BIP-39 mnemonic/);
  });

  it("validates SMTP_URL, OPS_EMAIL and defaults SMTP_FROM (notifications)", () => {
    expect(parseEnv({}).SMTP_URL).toBeUndefined();
    expect(parseEnv({}).OPS_EMAIL).toBeUndefined();
    expect(parseEnv({}).SMTP_FROM).toMatch(/<.+@.+>/);
    expect(parseEnv({ SMTP_URL: "smtps://user:pass@mail.example:465" }).SMTP_URL).toBe(
      "smtps://user:pass@mail.example:465",
    );
    expect(() => parseEnv({ SMTP_URL: "https://mail.example" })).toThrow(/SMTP_URL: must be an smtp/);
    expect(() => parseEnv({ OPS_EMAIL: "not an address" })).toThrow(/OPS_EMAIL: must be an email/);
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });

  it("leaves the production guards to the chains: NODE_ENV and DATABASE_URL decide nothing", () => {
    // lib/config/production-guards.ts refuses these as soon as a chain is real, in every process.
    expect(parseEnv({ NODE_ENV: "production" })).toMatchObject({
      WALLET_MNEMONIC: DEVELOPMENT_MNEMONIC,
      APP_SECRET: DEVELOPMENT_SECRET,
    });
  });

  it("parses SIGN_UP_ENABLED as a boolean switch, unset by default", () => {
    expect(parseEnv({}).SIGN_UP_ENABLED).toBeUndefined();
    for (const on of ["1", "true"]) expect(parseEnv({ SIGN_UP_ENABLED: on }).SIGN_UP_ENABLED).toBe(true);
    for (const off of ["0", "false"]) expect(parseEnv({ SIGN_UP_ENABLED: off }).SIGN_UP_ENABLED).toBe(false);
    expect(() => parseEnv({ SIGN_UP_ENABLED: "maybe" })).toThrow(/SIGN_UP_ENABLED: /);
  });
});
