// PLACEHOLDER until h-rates lands (lib/rates, lib/money/fiat): replaced by calls into them.
export function formatPrice(minor: bigint, _currency: string): string {
  return minor.toString();
}
