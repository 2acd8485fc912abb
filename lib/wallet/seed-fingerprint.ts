// One seed for all processes (DESIGN.md, Runtime modes): the database keeps the fingerprint of the
// wallet seed it was first run with (table `installation`), and the app server, the worker and the
// admin CLI refuse to run with another seed — a merchant created under another seed would get
// deposit addresses this gateway cannot sweep.
import { createHash } from "node:crypto";
import { ConfigError } from "../config/env";
import type { Db } from "../db/client";
import { accountXpub, GATEWAY_ACCOUNT } from "./derivation";

const INSTALLATION_ID = 1;

/**
 * sha256 (hex) of the seed's account-0 extended public key: the same for every process holding the
 * same seed, and nothing of it leads back to a key (an xpub yields no private key, its hash not even
 * the xpub).
 */
export function seedFingerprint(mnemonic: string): string {
  let xpub: string;
  try {
    xpub = accountXpub(mnemonic, GATEWAY_ACCOUNT);
  } catch (error) {
    throw new ConfigError("WALLET_MNEMONIC is not a valid BIP-39 mnemonic", { cause: error });
  }
  return createHash("sha256").update(xpub).digest("hex");
}

/** The first 16 hex digits: enough to tell two seeds apart in a message. */
function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 16)}…`;
}

/**
 * Checks the process's seed against the database and returns its fingerprint. At first boot the
 * fingerprint is stored; a database whose merchants predate the fingerprint is first checked against
 * the oldest merchant's xpub. Throws a ConfigError naming both fingerprints on a mismatch.
 */
export async function assertSeedFingerprint(db: Db, mnemonic: string): Promise<string> {
  const fingerprint = seedFingerprint(mnemonic);
  const select = { seedFingerprint: true } as const;
  let stored = await db.installation.findUnique({ where: { id: INSTALLATION_ID }, select });
  if (!stored) {
    const oldest = await db.merchant.findFirst({
      orderBy: { hdAccount: "asc" },
      select: { id: true, hdAccount: true, depositXpub: true },
    });
    if (oldest && accountXpub(mnemonic, oldest.hdAccount) !== oldest.depositXpub)
      throw new ConfigError(
        `WALLET_MNEMONIC does not match this database: merchant ${oldest.id} was created with another seed ` +
          `(this process has seed fingerprint ${shortFingerprint(fingerprint)}); run it with the seed this database was set up with`,
      );
    // Two processes at their first boot at once: the primary key keeps the first, both compare to it.
    await db.installation.createMany({
      data: [{ id: INSTALLATION_ID, seedFingerprint: fingerprint }],
      skipDuplicates: true,
    });
    stored = await db.installation.findUniqueOrThrow({ where: { id: INSTALLATION_ID }, select });
  }
  if (stored.seedFingerprint !== fingerprint)
    throw new ConfigError(
      `WALLET_MNEMONIC does not match this database: stored seed fingerprint ${shortFingerprint(stored.seedFingerprint)}, ` +
        `this process has ${shortFingerprint(fingerprint)}; run it with the seed this database was set up with`,
    );
  return fingerprint;
}
