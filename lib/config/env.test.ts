import { describe, expect, it } from "vitest";
import { DEVELOPMENT_MNEMONIC, parseEnv } from "./env";

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
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });

  it("refuses development secrets in production", () => {
    const attempt = () => parseEnv({ NODE_ENV: "production" });
    expect(attempt).toThrow(/WALLET_MNEMONIC: production refuses the development mnemonic/);
    expect(attempt).toThrow(/APP_SECRET: production refuses the default secret/);
    expect(attempt).toThrow(/DATABASE_URL: required in production/);
    expect(
      parseEnv({ NODE_ENV: "production", CTRIP_EMBEDDED: "1", DATABASE_URL: "postgresql://x@127.0.0.1/db" })
        .NODE_ENV,
    ).toBe("production");
    expect(
      parseEnv({
        NODE_ENV: "production",
        DATABASE_URL: "postgresql://u:p@db/ctrip",
        APP_SECRET: "x".repeat(40),
        WALLET_MNEMONIC: "legal winner thank year wave sausage worth useful legal winner thank yellow",
      }).NODE_ENV,
    ).toBe("production");
  });
});
