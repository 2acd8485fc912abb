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
  let value = BigInt(`0x${randomBytes(16).toString("hex")}`);
  let body = "";
  for (let i = 0; i < BODY_LENGTH; i++) {
    body = ALPHABET[Number(value % 62n)] + body;
    value /= 62n;
  }
  return `${prefix}_${body}`;
}

/** True when `id` looks like an id of the given prefix (cheap check before a lookup). */
export function isId(id: string, prefix: IdPrefix): boolean {
  return new RegExp(`^${prefix}_[0-9A-Za-z]{${BODY_LENGTH}}$`).test(id);
}
