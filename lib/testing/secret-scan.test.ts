import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { createApiKey } from "../api-keys/create-api-key";
import { createMerchant } from "../merchants/create-merchant";
import { gasTankAddress } from "../transactions/signing-accounts";
import { depositAddress, hotWalletAddress } from "../wallet/derivation";
import { generateWebhookSecret } from "../webhooks/webhook-secret";
import { createTestDatabase, type TestDatabase } from "./database";
import { findSecrets, type SecretTerms, walletSecretTermsOf } from "./secret-scan";

const mnemonic = generateMnemonic(wordlist);
let database: TestDatabase;
let terms: SecretTerms;
let depositXpub: string;
/** The scanner's key for a derivation path (lowercase hex, no 0x). */
const keyAt = (path: string) => [...terms.privateKeys].find(([, keyPath]) => keyPath === path)?.[0] ?? "";

beforeAll(async () => {
  database = await createTestDatabase();
  const { merchantId } = await createMerchant(
    database.db,
    { name: "Scanned", email: "scanned@example.com", password: "password-123" },
    mnemonic,
  );
  await database.db.merchant.update({ where: { id: merchantId }, data: { nextDepositIndex: 3 } });
  ({ depositXpub } = await database.db.merchant.findUniqueOrThrow({
    where: { id: merchantId },
    select: { depositXpub: true },
  }));
  terms = await walletSecretTermsOf(database.db, mnemonic);
});
afterAll(async () => {
  await database?.drop();
});

describe("findSecrets", () => {
  it("derives the keys of the addresses the gateway controls: gas tank, hot wallet, deposits handed out", () => {
    // gas tank + hot wallet + 3 deposit indexes handed out + 2 beyond
    expect(terms.privateKeys.size).toBe(7);
    expect(privateKeyToAddress(`0x${keyAt("m/44'/60'/0'/2/0")}`)).toBe(gasTankAddress(mnemonic));
    expect(privateKeyToAddress(`0x${keyAt("m/44'/60'/1'/1/0")}`)).toBe(hotWalletAddress(depositXpub));
    for (const index of [0, 4])
      expect(privateKeyToAddress(`0x${keyAt(`m/44'/60'/1'/0/${index}`)}`)).toBe(
        depositAddress(depositXpub, index),
      );
  });

  it("finds a planted key, with or without 0x, in any case, inside longer hex, and says where", () => {
    const key = keyAt("m/44'/60'/1'/0/2");
    const log = [
      '{"level":"info","message":"swept"}',
      `{"key":"0x${key}"}`,
      `raw ${key.toUpperCase()} and in calldata 0xa9059cbb${key}00ff`,
    ].join("\n");
    expect(findSecrets(log, terms)).toEqual([
      { kind: "private key", line: 2, column: 11, what: "m/44'/60'/1'/0/2" },
      { kind: "private key", line: 3, column: 5, what: "m/44'/60'/1'/0/2" },
      { kind: "private key", line: 3, column: 96, what: "m/44'/60'/1'/0/2" },
    ]);
  });

  it("finds the mnemonic, raw API keys, webhook secrets and argon2 hashes; `allow` lets one kind pass", async () => {
    const { apiKey } = await createApiKey(
      { db: database.db, actor: OPERATOR },
      {
        merchantId: (await database.db.merchant.findFirstOrThrow()).id,
        name: "scanned",
      },
    );
    const { passwordHash } = await database.db.user.findFirstOrThrow({ select: { passwordHash: true } });
    const text = [
      `seed: ${mnemonic.replaceAll(" ", "  ")}`,
      JSON.stringify({ apiKey }),
      JSON.stringify({ secret: generateWebhookSecret() }),
      passwordHash,
    ].join("\n");
    expect(findSecrets(text, terms).map(({ kind, line }) => [kind, line])).toEqual([
      ["wallet mnemonic", 1],
      ["API key", 2],
      ["webhook secret", 3],
      ["password hash", 4],
    ]);
    expect(findSecrets(text, terms, { allow: ["webhook secret"] }).map(({ kind }) => kind)).not.toContain(
      "webhook secret",
    );
  });

  it("finds nothing in ordinary output: ids, addresses, transaction hashes, documentation", () => {
    const text = [
      `deposit ${depositAddress(depositXpub, 0)} tx 0x${"ab".repeat(32)}`,
      "Authorization: Bearer sk_… and a signing secret whsec_…",
      "test test test test test test test test test test test junk",
    ].join("\n");
    expect(findSecrets(text, terms)).toEqual([]);
  });
});
