import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";
import { assertProductionGuards, productionGuardProblems, signUpEnabled } from "./production-guards";

const devnet = { name: "local", chainId: 31337, rpcUrls: ["http://127.0.0.1:8545"] };
const base = { name: "base", chainId: 8453, rpcUrls: ["https://mainnet.base.org"] };
/** Every development allowance at once, on the embedded defaults (no DATABASE_URL). */
const allowances = {
  NODE_ENV: "production",
  INNGEST_DEV: "1",
  WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
  MONEY_ROUTING_DELAY_SECONDS: "0",
} as const;
const proper = {
  WALLET_MNEMONIC: "legal winner thank year wave sausage worth useful legal winner thank yellow",
  APP_SECRET: "k3Jx9-random-secret-of-more-than-32-characters",
  METRICS_TOKEN: "metrics-token-0123456789",
  INNGEST_SIGNING_KEY: "signkey-prod-0123",
};

describe("production guards", () => {
  it("allow every development allowance while all chains are local devnets, whatever NODE_ENV says", () => {
    expect(productionGuardProblems(parseEnv(allowances), [devnet])).toEqual([]);
    expect(() => assertProductionGuards(parseEnv(allowances), [devnet])).not.toThrow();
  });

  it("refuse each allowance, one line each, as soon as one chain is real — with or without DATABASE_URL", () => {
    for (const extra of [{}, { DATABASE_URL: "postgresql://u:p@db.example/ctrip" }]) {
      const attempt = () => assertProductionGuards(parseEnv({ ...allowances, ...extra }), [devnet, base]);
      expect(attempt).toThrow(/^Refusing to start: base \(chain id 8453\) is not a local devnet/);
      for (const line of [
        /\n {2}WALLET_MNEMONIC: the development mnemonic is public/,
        /\n {2}APP_SECRET: the default secret is public/,
        /\n {2}WEBHOOK_ALLOW_PRIVATE_TARGETS=1: private webhook targets are a devnet-only allowance/,
        /\n {2}INNGEST_DEV: the Inngest dev server checks no signature/,
        /\n {2}METRICS_TOKEN: required/,
        /\n {2}MONEY_ROUTING_DELAY_SECONDS=0: a stolen key or session could redirect funds at once/,
      ])
        expect(attempt).toThrow(line);
    }
    // A devnet chain id whose node is elsewhere is a real chain too.
    const remote = { name: "remote", chainId: 31337, rpcUrls: ["http://10.0.0.5:8545"] };
    expect(productionGuardProblems(parseEnv({}), [remote])).toHaveLength(3);
  });

  it("let the same configuration start with proper secrets", () => {
    expect(productionGuardProblems(parseEnv({ NODE_ENV: "production", ...proper }), [devnet, base])).toEqual(
      [],
    );
  });

  it("ask for METRICS_TOKEN only the processes serving metrics: the app server, a worker with WORKER_METRICS_PORT", () => {
    const { METRICS_TOKEN: _token, ...withoutToken } = proper;
    const config = parseEnv(withoutToken);
    expect(productionGuardProblems(config, [base], "server")).toEqual([
      expect.stringMatching(/^METRICS_TOKEN/),
    ]);
    expect(productionGuardProblems(config, [base], "worker")).toEqual([]);
    expect(
      productionGuardProblems(parseEnv({ ...withoutToken, WORKER_METRICS_PORT: "9464" }), [base], "worker"),
    ).toEqual([expect.stringMatching(/^METRICS_TOKEN: required with WORKER_METRICS_PORT/)]);
    expect(
      productionGuardProblems(parseEnv({ ...proper, WORKER_METRICS_PORT: "9464" }), [base], "worker"),
    ).toEqual([]);
    expect(productionGuardProblems(config, [base], "admin")).toEqual([]);
    expect(productionGuardProblems(parseEnv({}), [base], "worker")).toEqual([
      expect.stringMatching(/^WALLET_MNEMONIC/),
      expect.stringMatching(/^APP_SECRET/),
    ]);
  });
});

describe("signUpEnabled", () => {
  it("is open on the devnet and closed with a real chain unless SIGN_UP_ENABLED says otherwise", () => {
    expect(signUpEnabled(parseEnv({}), [devnet])).toBe(true);
    expect(signUpEnabled(parseEnv({}), [devnet, base])).toBe(false);
    expect(signUpEnabled(parseEnv({ SIGN_UP_ENABLED: "1" }), [base])).toBe(true);
    expect(signUpEnabled(parseEnv({ SIGN_UP_ENABLED: "false" }), [devnet])).toBe(false);
  });
});
