// Finds secrets in text the gateway produced (API answers, logs): the wallet mnemonic, the private
// keys derived from it (as hex, with or without 0x), raw API keys, webhook secrets and argon2
// password hashes. Hits name the kind and the place, never the secret itself.
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { bytesToHex } from "viem";
import type { Db } from "../db/client";
import { depositPath, gasTankPath, hotWalletPath } from "../wallet/derivation";

export type SecretKind = "wallet mnemonic" | "private key" | "API key" | "webhook secret" | "password hash";
export type SecretHit = { kind: SecretKind; line: number; column: number; what?: string };

/** What to look for beyond the fixed patterns: the seed and its derived keys (lowercase hex → path). */
export type SecretTerms = { mnemonic: RegExp; privateKeys: Map<string, string> };

export type WalletAccount = { hdAccount: number; depositIndexes: number };

const PATTERNS: Array<[SecretKind, RegExp]> = [
  ["API key", /sk_[0-9A-Za-z]{43}/g],
  // `whsec_…` in documentation is not a secret; 16+ base64 characters are (a part of one, at least).
  ["webhook secret", /whsec_[A-Za-z0-9+/=]{16,}/g],
  ["password hash", /\$argon2(?:id|i|d)\$/g],
];
const HEX_RUN = /[0-9a-fA-F]{64,}/g;

/** The gas tank's key, and each account's hot-wallet key and its first `depositIndexes` deposit keys. */
export function walletSecretTerms(mnemonic: string, accounts: WalletAccount[]): SecretTerms {
  const master = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
  const paths = [gasTankPath()];
  for (const { hdAccount, depositIndexes } of accounts) {
    paths.push(hotWalletPath(hdAccount));
    for (let index = 0; index < depositIndexes; index++) paths.push(depositPath(hdAccount, index));
  }
  const privateKeys = new Map<string, string>();
  for (const path of paths) {
    const key = master.derive(path).privateKey;
    if (!key) throw new Error(`no private key at ${path}`);
    privateKeys.set(bytesToHex(key).slice(2), path);
  }
  // Its words in order, however they are spaced.
  const words = mnemonic
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[^a-z]/g, ""));
  return { mnemonic: new RegExp(words.join("\\s+"), "g"), privateKeys };
}

/** Terms for every merchant of a database: all the deposit indexes it handed out, plus `extraIndexes`. */
export async function walletSecretTermsOf(db: Db, mnemonic: string, extraIndexes = 2): Promise<SecretTerms> {
  const merchants = await db.merchant.findMany({ select: { hdAccount: true, nextDepositIndex: true } });
  return walletSecretTerms(
    mnemonic,
    merchants.map((merchant) => ({
      hdAccount: merchant.hdAccount,
      depositIndexes: merchant.nextDepositIndex + extraIndexes,
    })),
  );
}

/** Every secret in `text`; `allow` lists kinds shown by design (a creation answer's key or secret). */
export function findSecrets(
  text: string,
  terms: SecretTerms,
  options: { allow?: SecretKind[] } = {},
): SecretHit[] {
  const offsets: Array<{ kind: SecretKind; offset: number; what?: string }> = [];
  for (const match of text.matchAll(terms.mnemonic))
    offsets.push({ kind: "wallet mnemonic", offset: match.index });
  for (const [kind, pattern] of PATTERNS)
    if (!options.allow?.includes(kind))
      for (const match of text.matchAll(pattern)) offsets.push({ kind, offset: match.index });
  // Every 64-character window of every hex run: finds a key inside longer hex, with or without 0x.
  for (const match of text.matchAll(HEX_RUN)) {
    const run = match[0].toLowerCase();
    for (let start = 0; start + 64 <= run.length; start++) {
      const path = terms.privateKeys.get(run.slice(start, start + 64));
      if (path) offsets.push({ kind: "private key", offset: match.index + start, what: path });
    }
  }
  return offsets.map(({ kind, offset, what }) => ({ kind, ...lineAndColumn(text, offset), what }));
}

/** Where a hit is and what kind of secret it is — never the secret itself. */
export function describeSecretHit(hit: SecretHit): string {
  return `line ${hit.line}, column ${hit.column}: ${hit.kind}${hit.what ? ` (${hit.what})` : ""}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}
