// The worker thread that derives deposit addresses ahead of the creates: the same addresses as the
// calling thread's derivation, an error for a bad xpub instead of a dead worker, and a stopped worker
// that hands what it owed back to the calling thread.
import { HDKey } from "@scure/bip32";
import { afterEach, describe, expect, it } from "vitest";
import { derivationCounts, deriveDepositAddresses, stopWorker, useDerivationWorker } from "./address-deriver";
import { depositAddress } from "./derivation";

const xpub = HDKey.fromMasterSeed(Buffer.alloc(32, 9)).derive("m/44'/60'/3'").publicExtendedKey;
const indexes = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);

afterEach(() => useDerivationWorker(false));

describe("deposit addresses on a worker thread", () => {
  it("derives a block there, equal to the calling thread's derivation, in any order of claims", async () => {
    useDerivationWorker(true);
    const before = derivationCounts();
    const addressOf = deriveDepositAddresses(xpub, 500, 20);
    const claimed = await Promise.all(indexes(500, 20).reverse().map(addressOf));
    expect(claimed.reverse()).toEqual(indexes(500, 20).map((index) => depositAddress(xpub, index)));
    expect(derivationCounts().onWorker - before.onWorker).toBe(20);
    expect(derivationCounts().onCaller).toBe(before.onCaller);
    await expect(addressOf(520)).rejects.toThrow(/outside the derived block 500…519/);
  });

  it("answers a bad xpub with an error for each address and keeps serving the next block", async () => {
    useDerivationWorker(true);
    const broken = deriveDepositAddresses("xpub-not-a-key", 0, 2);
    await expect(broken(0)).rejects.toThrow();
    await expect(broken(1)).rejects.toThrow();
    const next = deriveDepositAddresses(xpub, 7, 1);
    expect(await next(7)).toBe(depositAddress(xpub, 7));
  });

  it("hands what a stopped worker still owed back to the calling thread", async () => {
    useDerivationWorker(true);
    const addressOf = deriveDepositAddresses(xpub, 1_000, 200);
    const before = derivationCounts();
    await stopWorker();
    const claimed = await Promise.all(indexes(1_000, 200).map(addressOf));
    expect(claimed).toEqual(indexes(1_000, 200).map((index) => depositAddress(xpub, index)));
    // Whatever the worker had not posted before it stopped was derived here.
    expect(derivationCounts().onCaller).toBeGreaterThan(before.onCaller);
  });

  it("stays on the calling thread when turned off (the default from sources)", async () => {
    const before = derivationCounts();
    const addressOf = deriveDepositAddresses(xpub, 40, 20);
    expect(await addressOf(45)).toBe(depositAddress(xpub, 45));
    // Derived on demand: one address, not the block.
    expect(derivationCounts().onCaller - before.onCaller).toBe(1);
    expect(derivationCounts().onWorker).toBe(before.onWorker);
  });
});
