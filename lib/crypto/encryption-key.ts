import { hkdfSync } from "node:crypto";
import type { TEnv } from "../config/env";

/**
 * The 32-byte AES-256 key encrypting secrets at rest: ENCRYPTION_KEY (64 hex characters or base64 of
 * 32 bytes), else derived from APP_SECRET with HKDF-SHA256, so a configured APP_SECRET is enough.
 */
export function encryptionKey(config: Pick<TEnv, "ENCRYPTION_KEY" | "APP_SECRET">): Buffer {
  const configured = config.ENCRYPTION_KEY?.trim();
  if (configured) {
    const key = /^[0-9a-f]{64}$/i.test(configured)
      ? Buffer.from(configured, "hex")
      : Buffer.from(configured, "base64");
    if (key.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64");
    return key;
  }
  return Buffer.from(hkdfSync("sha256", config.APP_SECRET, "ctrip-pay", "secrets-at-rest/v1", 32));
}
