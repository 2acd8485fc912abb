import { describe, expect, it } from "vitest";
import { testChain } from "../testing/test-chain";
import { ConfigError, parseEnv } from "./env";
import { DEFAULT_MONEY_ROUTING_DELAY_SECONDS, moneyRoutingDelaySeconds } from "./money-routing-delay";

const devnet = [testChain()];
const real = [testChain(), testChain({ name: "base", chainId: 8453, rpcUrls: ["https://mainnet.base.org"] })];

describe("MONEY_ROUTING_DELAY_SECONDS", () => {
  it("defaults to 0 when every chain is a local devnet and to 24 h with a real chain", () => {
    expect(moneyRoutingDelaySeconds(devnet, undefined)).toBe(0);
    expect(moneyRoutingDelaySeconds(real, undefined)).toBe(DEFAULT_MONEY_ROUTING_DELAY_SECONDS);
    expect(DEFAULT_MONEY_ROUTING_DELAY_SECONDS).toBe(86_400);
  });

  it("takes a configured delay, and 0 only on the devnet", () => {
    expect(moneyRoutingDelaySeconds(real, 3_600)).toBe(3_600);
    expect(moneyRoutingDelaySeconds(devnet, 0)).toBe(0);
    expect(() => moneyRoutingDelaySeconds(real, 0)).toThrow(ConfigError);
    expect(() => moneyRoutingDelaySeconds(real, 0)).toThrow(
      /MONEY_ROUTING_DELAY_SECONDS: 0 is allowed only when every configured chain is a local devnet/,
    );
  });

  it("is parsed from the environment as whole seconds", () => {
    expect(parseEnv({ MONEY_ROUTING_DELAY_SECONDS: "7200" }).MONEY_ROUTING_DELAY_SECONDS).toBe(7_200);
    expect(parseEnv({}).MONEY_ROUTING_DELAY_SECONDS).toBeUndefined();
    expect(() => parseEnv({ MONEY_ROUTING_DELAY_SECONDS: "1.5" })).toThrow(/MONEY_ROUTING_DELAY_SECONDS/);
    expect(() => parseEnv({ MONEY_ROUTING_DELAY_SECONDS: "-1" })).toThrow(/MONEY_ROUTING_DELAY_SECONDS/);
  });
});
