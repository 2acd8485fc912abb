import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { accountXpub } from "./derivation";
import { assertSeedFingerprint, seedFingerprint } from "./seed-fingerprint";

const OTHER_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("seed fingerprint", () => {
  it("is a hash of the account-0 xpub: stable per seed, distinct between seeds, not the xpub itself", () => {
    const fingerprint = seedFingerprint(DEVELOPMENT_MNEMONIC);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(seedFingerprint(DEVELOPMENT_MNEMONIC)).toBe(fingerprint);
    expect(seedFingerprint(OTHER_MNEMONIC)).not.toBe(fingerprint);
    expect(fingerprint).not.toContain(accountXpub(DEVELOPMENT_MNEMONIC, 0));
    expect(() => seedFingerprint("not a mnemonic")).toThrow(/WALLET_MNEMONIC is not a valid BIP-39 mnemonic/);
  });

  it("is stored at first boot (once, even by processes starting together); another seed is refused naming both", async () => {
    const stored = await Promise.all([
      assertSeedFingerprint(database.db, DEVELOPMENT_MNEMONIC),
      assertSeedFingerprint(database.db, DEVELOPMENT_MNEMONIC),
    ]);
    expect(stored).toEqual([seedFingerprint(DEVELOPMENT_MNEMONIC), seedFingerprint(DEVELOPMENT_MNEMONIC)]);
    expect(await database.db.installation.findMany()).toEqual([
      expect.objectContaining({ id: 1, seedFingerprint: seedFingerprint(DEVELOPMENT_MNEMONIC) }),
    ]);

    await expect(assertSeedFingerprint(database.db, OTHER_MNEMONIC)).rejects.toThrow(
      `WALLET_MNEMONIC does not match this database: stored seed fingerprint ${seedFingerprint(DEVELOPMENT_MNEMONIC).slice(0, 16)}…, this process has ${seedFingerprint(OTHER_MNEMONIC).slice(0, 16)}…`,
    );
    // The first seed still runs.
    await expect(assertSeedFingerprint(database.db, DEVELOPMENT_MNEMONIC)).resolves.toBeTypeOf("string");
  });

  it("on a database whose merchants predate the fingerprint, checks the seed against their xpub first", async () => {
    const upgraded = await createTestDatabase();
    try {
      const merchant = await createMerchant(
        upgraded.db,
        { name: "Old shop", email: "old@example.com", password: "correct horse" },
        OTHER_MNEMONIC,
      );
      await expect(assertSeedFingerprint(upgraded.db, DEVELOPMENT_MNEMONIC)).rejects.toThrow(
        `WALLET_MNEMONIC does not match this database: merchant ${merchant.merchantId} was created with another seed`,
      );
      expect(await upgraded.db.installation.count()).toBe(0);
      await assertSeedFingerprint(upgraded.db, OTHER_MNEMONIC);
      expect(await upgraded.db.installation.findUnique({ where: { id: 1 } })).toMatchObject({
        seedFingerprint: seedFingerprint(OTHER_MNEMONIC),
      });
    } finally {
      await upgraded.drop();
    }
  });

  it("keeps one row of a well-formed fingerprint (database constraints)", async () => {
    await expect(
      database.db.installation.create({ data: { id: 2, seedFingerprint: "0".repeat(64) } }),
    ).rejects.toThrow(/installation_single_row/);
  });
});
