import { randomBytes } from "node:crypto";

/** Object prefixes of the public API (DESIGN.md "REST API v1") and of internal rows. */
export type IdPrefix =
  | "mer" // merchant
  | "usr" // user
  | "key" // API key
  | "pay" // payment
  | "psc" // payment status change
  | "trf" // transfer
  | "swp" // sweep
  | "txn" // balance transaction
  | "po" // payout
  | "evt" // event
  | "we" // webhook endpoint
  | "wd" // webhook delivery
  | "wa" // webhook attempt
  | "gtu" // gas top-up of a hot wallet
  | "aud" // audit log entry
  | "inv" // team invitation
  | "inc" // chain incident
  | "chg" // money-routing setting change (treasury, payout limits)
  | "otx" // outgoing transaction (lib/transactions)
  | "ntf" // notification (lib/notifications)
  | "ntr"; // notification recipient (one email)

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 22; // 62^22 > 2^128

/**
 * A prefixed random id with 128 bits of entropy, e.g. `pay_3xK…`. Never sequential: a payment id is
 * the capability to view its checkout page.
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${base62(randomChunk(16))}`;
}

/**
 * The 16 bytes as a big-endian number in BODY_LENGTH base-62 digits, most significant first: long
 * division over four 32-bit limbs in plain numbers (each step stays below 62 · 2^32 < 2^53), the
 * same digits as BigInt division at a fraction of its cost on the create path.
 */
export function base62(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const limbs = [view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  const digits: string[] = new Array(BODY_LENGTH);
  for (let d = BODY_LENGTH - 1; d >= 0; d--) {
    let remainder = 0;
    for (let i = 0; i < 4; i++) {
      const current = remainder * 2 ** 32 + (limbs[i] as number);
      limbs[i] = Math.floor(current / 62);
      remainder = current % 62;
    }
    digits[d] = ALPHABET[remainder] as string;
  }
  return digits.join("");
}

// Cryptographically random bytes cut from a 4 KiB block drawn at once, instead of one randomBytes
// call (a native job) per id; every byte is handed out once.
let randomBlock = Buffer.alloc(0);
let randomOffset = 0;
export function randomChunk(bytes: number): Buffer {
  if (randomOffset + bytes > randomBlock.length) {
    randomBlock = randomBytes(4096);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomBlock.subarray(randomOffset - bytes, randomOffset);
}

/** True when `id` looks like an id of the given prefix (cheap check before a lookup). */
export function isId(id: string, prefix: IdPrefix): boolean {
  return new RegExp(`^${prefix}_[0-9A-Za-z]{${BODY_LENGTH}}$`).test(id);
}
