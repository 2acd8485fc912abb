// Amounts for people: grouped and with the decimal mark of their locale, from the exact decimal
// string (never through a float: the integer part is formatted as a BigInt, the fraction copied).
// Client-safe.

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** The decimal mark of a locale ("." for en-US, "," for de-DE). */
function decimalMark(locale: string | undefined): string {
  const parts = new Intl.NumberFormat(locale).formatToParts(1.5);
  return parts.find((part) => part.type === "decimal")?.value ?? ".";
}

/**
 * "1234567.80" → "1,234,567.80" (en-US), "1.234.567,80" (de-DE): every digit kept; the fraction is
 * padded to `minimumFractionDigits` (2 by default, as prices are read) but never rounded. Text that
 * is not a plain decimal is returned as it is.
 */
export function formatDecimalForLocale(text: string, locale?: string, minimumFractionDigits = 2): string {
  const match = DECIMAL.exec(text.trim());
  if (!match) return text;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(BigInt(whole));
  const digits = fraction.padEnd(minimumFractionDigits, "0");
  return `${sign}${grouped}${digits ? `${decimalMark(locale)}${digits}` : ""}`;
}

/** "1,234,567.80 USDC". */
export function formatTokenAmount(text: string, symbol: string, locale?: string): string {
  return `${formatDecimalForLocale(text, locale)} ${symbol}`;
}
