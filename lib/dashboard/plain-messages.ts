// The services' validation messages are written for API integrators ("amount: must be a decimal
// string such as …"). The dashboard shows people one plain sentence per field instead; a message
// without a rule here is already plain and shown as it is.
import { CHECKSUM_MESSAGE, MALFORMED_ADDRESS_MESSAGE } from "../validation/address-confirmation";

const RULES: readonly [RegExp, string | ((match: RegExpExecArray) => string)][] = [
  [/^must be a decimal string/, "Enter a positive number, for example 12.50."],
  [
    /^has more than (\d+) decimal places for this token/,
    (match) => `This token has at most ${match[1]} decimals: enter fewer digits after the decimal mark.`,
  ],
  [/^must be a whole number for this token/, "This token has no decimals: enter a whole number."],
  [/^must be greater than zero/, "Enter an amount greater than zero."],
  [/^is too (long|large)/, "This number is too large."],
  [/^must be a 0x-prefixed 20-byte hex address/, MALFORMED_ADDRESS_MESSAGE],
  [
    /^must not be the zero address/,
    "This is the zero address: anything sent there is lost. Enter a real address.",
  ],
  [/wrong EIP-55 checksum/, CHECKSUM_MESSAGE],
  [/^required in treasury mode/, "Enter your treasury address, or choose balance mode."],
  [/^must be an http or https URL/, "Enter a web address that starts with https:// or http://."],
  [/^unknown chain/, "Choose a network from the list."],
  [/^unknown token/, "Choose a token from the list."],
  [/^Too small: expected string to have >=1/, "This field is required."],
  [/^Invalid input: expected \w+, received undefined/, "This field is required."],
  [/^Too big: expected string/, "This is too long."],
  [/^Invalid (input|option)/, "Choose one of the options offered."],
];

/** One plain sentence for a field's validation message. */
export function plainFieldMessage(message: string): string {
  for (const [pattern, plain] of RULES) {
    const match = pattern.exec(message);
    if (match) return typeof plain === "string" ? plain : plain(match);
  }
  return message;
}
