import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "./encrypt-secret";
import { encryptionKey } from "./encryption-key";

const APP_SECRET = "x".repeat(40);

describe("secret encryption at rest", () => {
  it("round-trips and never stores the plaintext", () => {
    const key = encryptionKey({ APP_SECRET, ENCRYPTION_KEY: undefined });
    const stored = encryptSecret(key, "whsec_c2VjcmV0");
    expect(stored).not.toContain("c2VjcmV0");
    expect(stored).not.toBe(encryptSecret(key, "whsec_c2VjcmV0")); // random IV
    expect(decryptSecret(key, stored)).toBe("whsec_c2VjcmV0");
  });

  it("refuses another key and a tampered ciphertext", () => {
    const key = encryptionKey({ APP_SECRET, ENCRYPTION_KEY: undefined });
    const stored = encryptSecret(key, "whsec_abc");
    const other = encryptionKey({ APP_SECRET: "y".repeat(40), ENCRYPTION_KEY: undefined });
    expect(() => decryptSecret(other, stored)).toThrow();
    const [version, iv, tag, body] = stored.split(".");
    const flipped = `${body?.[0] === "A" ? "B" : "A"}${body?.slice(1)}`;
    expect(() => decryptSecret(key, [version, iv, tag, flipped].join("."))).toThrow();
  });

  it("takes ENCRYPTION_KEY as hex or base64 and rejects a wrong length", () => {
    const raw = randomBytes(32);
    expect(encryptionKey({ APP_SECRET, ENCRYPTION_KEY: raw.toString("hex") })).toEqual(raw);
    expect(encryptionKey({ APP_SECRET, ENCRYPTION_KEY: raw.toString("base64") })).toEqual(raw);
    expect(() => encryptionKey({ APP_SECRET, ENCRYPTION_KEY: "abcd" })).toThrow(/32 bytes/);
  });
});
