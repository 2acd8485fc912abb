// What a person types into a dashboard amount field, turned into the canonical decimal string
import { z } from "zod";
// parseAmount expects. String-based and exact: "12,50" becomes "12.50", never a float.

/** The outcome: the canonical decimal text, or one plain-language message for the field. */
export type DecimalInput = { ok: true; value: string } | { ok: false; message: string };

const DOT_DECIMAL = /^\d+(?:\.\d+)?$/;
const COMMA_DECIMAL = /^\d+,\d+$/;

/**
 * Accepts "12.50" and, for locales with a decimal comma, "12,50" (one comma, digits on both
 * sides). Refuses thousands separators ("1,234.50", "1.234,50", "1 234", "1,234,567") rather than
 * guessing which mark is the decimal one: a wrong guess changes the amount by a factor of 1000.
 * The API stays strict (dot only); this is for forms people type into.
 */
export function normalizeDecimalInput(raw: string): DecimalInput {
  const text = raw.trim();
  if (text === "") return { ok: false, message: "Enter an amount." };
  if (DOT_DECIMAL.test(text)) return { ok: true, value: text };
  if (COMMA_DECIMAL.test(text)) return { ok: true, value: text.replace(",", ".") };
  if (/^[\d.,\s\u00a0\u202f']+$/.test(text) && /\d/.test(text))
    return {
      ok: false,
      message:
        "Enter the amount without thousands separators, with one decimal mark — for example 1234.50 or 1234,50.",
    };
  return { ok: false, message: "Enter a positive number, for example 12.50." };
}

/**
 * A form's amount field (trimmed; empty = not given) normalized with normalizeDecimalInput; a
 * refused input is one plain message on that field.
 */
export const ZFormAmount = z
  .string()
  .optional()
  .transform((value, context): string | undefined => {
    if (!value?.trim()) return undefined;
    const result = normalizeDecimalInput(value);
    if (result.ok) return result.value;
    context.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  });
