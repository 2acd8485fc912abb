import { mnemonicToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { accountXpub, depositAddress, depositPath, gasTankPath } from "./derivation";

describe("deposit address derivation", () => {
  it("derives from the xpub exactly the addresses the seed's private keys control", () => {
    for (const account of [0, 1, 7]) {
      const xpub = accountXpub(DEVELOPMENT_MNEMONIC, account);
      expect(xpub).toMatch(/^xpub/);
      for (const index of [0, 1, 42, 2 ** 31 - 1]) {
        const fromSeed = mnemonicToAccount(DEVELOPMENT_MNEMONIC, {
          path: depositPath(account, index) as `m/44'/60'/${string}`,
        });
        expect(depositAddress(xpub, index)).toBe(fromSeed.address);
      }
    }
  });

  it("matches Anvil's well-known first account at m/44'/60'/0'/0/0", () => {
    expect(depositAddress(accountXpub(DEVELOPMENT_MNEMONIC, 0), 0)).toBe(
      "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    );
  });

  it("keeps the gas tank on its own branch, never one of Anvil's default accounts", () => {
    expect(gasTankPath()).toBe("m/44'/60'/0'/2/0");
    const tank = mnemonicToAccount(DEVELOPMENT_MNEMONIC, { path: "m/44'/60'/0'/2/0" }).address;
    const defaults = Array.from({ length: 20 }, (_, i) =>
      depositAddress(accountXpub(DEVELOPMENT_MNEMONIC, 0), i),
    );
    expect(defaults).not.toContain(tank);
  });

  it("gives different accounts and indexes different addresses", () => {
    const a = accountXpub(DEVELOPMENT_MNEMONIC, 1);
    const b = accountXpub(DEVELOPMENT_MNEMONIC, 2);
    const addresses = new Set([0, 1, 2].flatMap((i) => [depositAddress(a, i), depositAddress(b, i)]));
    expect(addresses.size).toBe(6);
  });

  it("rejects an invalid mnemonic and out-of-range indexes", () => {
    expect(() => accountXpub("not a mnemonic", 1)).toThrow(/not a valid BIP-39 mnemonic/);
    expect(() => depositAddress(accountXpub(DEVELOPMENT_MNEMONIC, 1), -1)).toThrow(/out of range/);
    expect(() => depositAddress(accountXpub(DEVELOPMENT_MNEMONIC, 1), 2 ** 31)).toThrow(/out of range/);
  });
});
