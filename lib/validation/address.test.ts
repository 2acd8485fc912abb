import { describe, expect, it } from "vitest";
import { ZEvmAddress, ZRecipientAddress } from "./address";

// Anvil's first account, EIP-55 checksummed.
const CHECKSUMMED = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/** The same address with the case of one letter flipped: a wrong checksum. */
const WRONG_CHECKSUM = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

describe("ZEvmAddress (strict EIP-55)", () => {
  it("accepts a valid checksum, all lower-case and all upper-case hex, normalized to EIP-55", () => {
    for (const input of [CHECKSUMMED, CHECKSUMMED.toLowerCase(), `0x${CHECKSUMMED.slice(2).toUpperCase()}`])
      expect(ZEvmAddress.parse(input)).toBe(CHECKSUMMED);
    expect(ZEvmAddress.parse(`  ${CHECKSUMMED.toLowerCase()} `)).toBe(CHECKSUMMED);
  });

  it("refuses a mixed-case address with a wrong checksum instead of fixing it", () => {
    const result = ZEvmAddress.safeParse(WRONG_CHECKSUM);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/EIP-55 checksum/) }),
    ]);
  });

  it("refuses malformed hex with one message and the zero address as a recipient", () => {
    for (const input of ["0x123", "f39Fd6e51aad88F6F4ce6aB8827279cffFb92266", `${CHECKSUMMED}00`, "0xzz"]) {
      const result = ZEvmAddress.safeParse(input);
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([
        "must be a 0x-prefixed 20-byte hex address",
      ]);
    }
    expect(ZRecipientAddress.safeParse(`0x${"0".repeat(40)}`).error?.issues[0]?.message).toBe(
      "must not be the zero address",
    );
  });
});
