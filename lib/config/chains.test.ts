import { describe, expect, it } from "vitest";
import { loadChainsConfig, parseChainsConfig } from "./chains";
import { ConfigError } from "./env";

const valid = `
chains:
  - name: local
    chainId: 31337
    rpcUrls: ["http://127.0.0.1:\${ANVIL_PORT:-8545}"]
    confirmations: 2
    blockTime: 1
    nativeCurrency: { symbol: ETH, decimals: 18 }
    explorerUrl: null
    tokens:
      - { symbol: USDC, address: "0x5fbdb2315678afecb367f032d93f642f64180aa3", decimals: 6 }
`;

describe("chains.yaml", () => {
  it("parses the committed file with its local chain and mock USDC", () => {
    const config = loadChainsConfig("chains.yaml", {});
    const local = config.chains.find((chain) => chain.name === "local");
    expect(local).toMatchObject({ chainId: 31337, rpcUrls: ["http://127.0.0.1:8545"], confirmations: 2 });
    expect(local?.tokens).toEqual([
      { symbol: "USDC", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", decimals: 6 },
    ]);
  });

  it("reads environment variables into RPC URLs and checksums addresses", () => {
    const config = parseChainsConfig(valid, "chains.yaml", { ANVIL_PORT: "9999" });
    expect(config.chains[0]?.rpcUrls).toEqual(["http://127.0.0.1:9999"]);
    expect(config.chains[0]?.tokens[0]?.address).toBe("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(config.chains[0]?.maxBlockRange).toBe(2000);
    expect(config.chains[0]?.finality).toBeUndefined();
    const final = parseChainsConfig(
      valid.replace("confirmations: 2", "confirmations: 2\n    finality: safe"),
      "c",
      {},
    );
    expect(final.chains[0]?.finality).toBe("safe");
  });

  it.each([
    [valid.replace("decimals: 6", "decimals: 6.5"), "chains[0].tokens[0].decimals"],
    [valid.replace("confirmations: 2", "confirmations: 0"), "chains[0].confirmations"],
    [valid.replace("confirmations: 2", "confirmations: 2\n    finality: latest"), "chains[0].finality"],
    [valid.replace("0x5fbdb2315678afecb367f032d93f642f64180aa3", "0x1234"), "chains[0].tokens[0].address"],
    [valid.replace("name: local", "name: Local Chain"), "chains[0].name"],
    [valid.replace("blockTime: 1", "blockTime: 1\n    color: red"), "chains[0]"],
    [valid.replace("symbol: USDC", "symbol: ETH"), "chains[0].tokens[0].symbol: duplicate symbol ETH"],
    ["chains: []", "chains: list at least one chain"],
  ])("fails with the path and the reason (%#)", (text, expected) => {
    expect(() => parseChainsConfig(text, "/etc/chains.yaml", {})).toThrow(ConfigError);
    expect(() => parseChainsConfig(text, "/etc/chains.yaml", {})).toThrow(expected);
    expect(() => parseChainsConfig(text, "/etc/chains.yaml", {})).toThrow("/etc/chains.yaml is invalid");
  });

  it("names malformed YAML, missing variables and unreadable files", () => {
    expect(() => parseChainsConfig("chains: [", "c.yaml", {})).toThrow(/c\.yaml: invalid YAML/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: chains.yaml's own ${VAR} syntax
    expect(() => parseChainsConfig('chains: [{rpcUrls: ["${RPC_KEY}"]}]', "c.yaml", {})).toThrow(
      "c.yaml: environment variable RPC_KEY is referenced but not set",
    );
    expect(() => loadChainsConfig("does-not-exist.yaml")).toThrow(
      /does-not-exist\.yaml: cannot read chains file/,
    );
  });
});
