// How the dashboard takes an address a person typed or pasted (treasury, refund recipient). Pure
// and client-safe: the confirmation dialog and the server-side form schemas use the same rules.
import { getAddress } from "viem";

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export const MALFORMED_ADDRESS_MESSAGE =
  "Enter an address that starts with 0x followed by 40 letters and digits.";
export const CHECKSUM_MESSAGE =
  "This address does not match its checksum (its mix of capital and small letters), so it probably has a typo. Copy it again from the wallet it belongs to.";

export type AddressCheck =
  /** Mixed case with a valid EIP-55 checksum: taken as typed. */
  | { kind: "checksummed"; address: string }
  /** All lower-case (or upper-case) hex: no checksum protects it; the last 4 characters are typed again. */
  | { kind: "unchecked"; address: string; lastFour: string }
  | { kind: "invalid"; message: string };

/**
 * What an address typed into a dashboard form is. A mixed-case address whose checksum does not
 * match is refused, never "fixed" to the checksum of what was typed: one wrong character usually
 * means a typo, and money sent there is lost.
 */
export function checkTypedAddress(raw: string): AddressCheck {
  const text = raw.trim();
  if (!HEX_ADDRESS.test(text))
    return {
      kind: "invalid",
      message: "Enter an address that starts with 0x followed by 40 letters and digits.",
    };
  const hex = text.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) {
    const address = getAddress(text);
    return { kind: "unchecked", address, lastFour: text.slice(-4).toLowerCase() };
  }
  if (getAddress(text) !== text) return { kind: "invalid", message: CHECKSUM_MESSAGE };
  return { kind: "checksummed", address: text };
}

/**
 * null when the address may be used: it is checksummed, or it has no checksum and `typedLastFour`
 * repeats its last 4 characters (any case); else the message for the field at fault.
 */
export function addressConfirmationError(
  raw: string,
  typedLastFour: string | undefined,
): { field: "address" | "address_confirm"; message: string } | null {
  const check = checkTypedAddress(raw);
  if (check.kind === "invalid") return { field: "address", message: check.message };
  if (check.kind === "checksummed") return null;
  const typed = (typedLastFour ?? "").trim().toLowerCase();
  if (typed === "")
    return {
      field: "address_confirm",
      message: "This address has no checksum: type its last 4 characters to confirm it.",
    };
  if (typed !== check.lastFour)
    return {
      field: "address_confirm",
      message: "These are not the address's last 4 characters: check the address you entered.",
    };
  return null;
}
