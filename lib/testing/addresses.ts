/** The address with the case of its first hex letter flipped: same hex, a wrong EIP-55 checksum. */
export function withWrongChecksum(address: string): string {
  const at = address.slice(2).search(/[a-fA-F]/) + 2;
  const letter = address.charAt(at);
  const flipped = letter === letter.toLowerCase() ? letter.toUpperCase() : letter.toLowerCase();
  return `${address.slice(0, at)}${flipped}${address.slice(at + 1)}`;
}
