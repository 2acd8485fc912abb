import { secp256k1 } from "@noble/curves/secp256k1";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { bytesToHex, getAddress, keccak256 } from "viem";
import { mnemonicToAccount, privateKeyToAddress } from "viem/accounts";
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

  it("equals @scure/bip32's public and private derivation (the sweeper's) on 2,000 indexes per account", () => {
    const master = HDKey.fromMasterSeed(mnemonicToSeedSync(DEVELOPMENT_MNEMONIC));
    for (const account of [1, 3]) {
      const xpub = accountXpub(DEVELOPMENT_MNEMONIC, account);
      const branch = HDKey.fromExtendedKey(xpub).deriveChild(0);
      const indexes = [
        ...Array.from({ length: 2_000 }, (_, i) => i),
        ...Array.from({ length: 50 }, (_, i) => (i * 2_654_435_761) % 2 ** 31),
      ];
      for (const index of indexes) {
        const publicKey = branch.deriveChild(index).publicKey as Uint8Array;
        const { ProjectivePoint } = secp256k1;
        const uncompressed = ProjectivePoint.fromHex(publicKey).toRawBytes(false);
        const expected = getAddress(`0x${keccak256(bytesToHex(uncompressed.slice(1))).slice(-40)}`);
        expect(depositAddress(xpub, index)).toBe(expected);
      }
      for (const index of indexes.slice(0, 25)) {
        const privateKey = master.derive(depositPath(account, index)).privateKey as Uint8Array;
        expect(depositAddress(xpub, index)).toBe(privateKeyToAddress(bytesToHex(privateKey)));
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
