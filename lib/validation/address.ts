import { type Address, getAddress, zeroAddress } from "viem";
import { z } from "zod";

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Mixed case carries an EIP-55 checksum; all lower-case or all upper-case hex carries none. */
function hasChecksum(value: string): boolean {
  const hex = value.slice(2);
  return hex !== hex.toLowerCase() && hex !== hex.toUpperCase();
}

/**
 * Every EVM address that comes in (treasury, payout and refund recipients, API and dashboard):
 * a mixed-case address must carry a valid EIP-55 checksum — a wrong one is refused, never silently
 * "fixed", since it usually means a typo and money sent there is lost. All lower-case (or
 * upper-case) hex has no checksum to verify and is accepted; the value is normalized to EIP-55.
 */
export const ZEvmAddress = z
  .string()
  .trim()
  .regex(HEX_ADDRESS, "must be a 0x-prefixed 20-byte hex address")
  // zod runs every check even after the regex failed: getAddress only sees well-formed hex.
  .refine(
    (value) => !HEX_ADDRESS.test(value) || !hasChecksum(value) || getAddress(value) === value,
    "has a wrong EIP-55 checksum (mixed case that does not match): check the address for a typo, or enter it in all lower-case",
  )
  .transform((value): Address => getAddress(value));

/** A recipient of funds: ZEvmAddress, and never the zero address (a burn). */
export const ZRecipientAddress = ZEvmAddress.refine(
  (value) => value !== zeroAddress,
  "must not be the zero address",
);

/** An address as stored (often all lower-case) in its EIP-55 form, for display and forms. */
export function checksummed(address: string): Address {
  return getAddress(address);
}
