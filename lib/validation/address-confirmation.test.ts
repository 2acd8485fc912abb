import { describe, expect, it } from "vitest";
import { addressConfirmationError, checkTypedAddress } from "./address-confirmation";

// Anvil's first account, EIP-55 checksummed.
const CHECKSUMMED = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const WRONG_CHECKSUM = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

describe("checkTypedAddress", () => {
  it("takes a checksummed address as typed and marks lower- or upper-case hex as unchecked", () => {
    expect(checkTypedAddress(` ${CHECKSUMMED} `)).toEqual({ kind: "checksummed", address: CHECKSUMMED });
    expect(checkTypedAddress(CHECKSUMMED.toLowerCase())).toEqual({
      kind: "unchecked",
      address: CHECKSUMMED,
      lastFour: "2266",
    });
    expect(checkTypedAddress(`0x${CHECKSUMMED.slice(2).toUpperCase()}`)).toMatchObject({ kind: "unchecked" });
  });

  it("refuses a wrong checksum with a plain message instead of fixing it, and malformed hex", () => {
    expect(checkTypedAddress(WRONG_CHECKSUM)).toEqual({
      kind: "invalid",
      message: expect.stringMatching(/^This address does not match its checksum .* probably has a typo/),
    });
    expect(checkTypedAddress("0x1234")).toMatchObject({ kind: "invalid", message: /starts with 0x/ });
  });
});

describe("addressConfirmationError", () => {
  it("needs the last 4 characters of an unchecked address, in any case; nothing for a checksummed one", () => {
    const lower = CHECKSUMMED.toLowerCase();
    expect(addressConfirmationError(CHECKSUMMED, undefined)).toBeNull();
    expect(addressConfirmationError(lower, undefined)).toEqual({
      field: "address_confirm",
      message: "This address has no checksum: type its last 4 characters to confirm it.",
    });
    expect(addressConfirmationError(lower, "2267")?.message).toMatch(/not the address's last 4 characters/);
    expect(addressConfirmationError(lower, " 2266 ")).toBeNull();
    expect(addressConfirmationError(`0x${CHECKSUMMED.slice(2).toUpperCase()}`, "2266")).toBeNull();
    expect(addressConfirmationError(WRONG_CHECKSUM, "2266")?.field).toBe("address");
  });
});
