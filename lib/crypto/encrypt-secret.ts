import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Format `v1.<iv>.<tag>.<ciphertext>` (base64url): the version leaves room for a new algorithm or key.
const VERSION = "v1";
const IV_BYTES = 12;

/** AES-256-GCM: confidentiality and integrity of a secret stored in the database. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
  return [VERSION, ...parts].join(".");
}

/** Throws when the ciphertext was made with another key or has been tampered with. */
export function decryptSecret(key: Buffer, stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split(".");
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined)
    throw new Error("not an encrypted secret of a known format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
    "utf8",
  );
}
