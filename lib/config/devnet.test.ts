import { describe, expect, it } from "vitest";
import { isDevnetOnly, isLocalDevnet } from "./devnet";

describe("devnet detection", () => {
  it("is a devnet only with a devnet chain id and every RPC URL on loopback", () => {
    expect(isLocalDevnet({ chainId: 31337, rpcUrls: ["http://127.0.0.1:8545"] })).toBe(true);
    expect(isLocalDevnet({ chainId: 1337, rpcUrls: ["http://localhost:8545", "ws://[::1]:8546"] })).toBe(
      true,
    );
    expect(isLocalDevnet({ chainId: 31337, rpcUrls: ["http://127.0.0.1:8545", "https://rpc.example"] })).toBe(
      false,
    );
    expect(isLocalDevnet({ chainId: 1, rpcUrls: ["http://127.0.0.1:8545"] })).toBe(false);
    expect(isLocalDevnet({ chainId: 31337, rpcUrls: ["http://10.0.0.5:8545"] })).toBe(false);
  });

  it("switches every guard on as soon as one chain is real", () => {
    const local = { chainId: 31337, rpcUrls: ["http://127.0.0.1:8545"] };
    expect(isDevnetOnly([local])).toBe(true);
    expect(isDevnetOnly([local, { chainId: 8453, rpcUrls: ["https://mainnet.base.org"] }])).toBe(false);
    expect(isDevnetOnly([])).toBe(false);
  });
});
