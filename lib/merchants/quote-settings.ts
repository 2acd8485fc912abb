import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { type RequestOrigin, recordAuditEntry } from "../audit/record-audit-entry";
import type { Db } from "../db/client";
import { AppError } from "../errors";

/** Quote window bounds (seconds): at least a minute, at most a day. */
export const MIN_QUOTE_TTL = 60;
export const MAX_QUOTE_TTL = 86_400;

/**
 * `PUT /api/v1/settings/quotes`: how long fiat-priced payments' quotes are locked, and how far below
 * the price (percent of it, at most 10, two decimals) a payment still counts as paid.
 */
export const ZSetQuoteSettings = z.strictObject({
  quote_ttl: z.number().int().min(MIN_QUOTE_TTL).max(MAX_QUOTE_TTL).optional(),
  underpayment_tolerance: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage decimal string such as "0.5"')
    .refine((value) => Number(value) <= 10, "must be at most 10 (percent)")
    .optional(),
});
export type TSetQuoteSettings = z.infer<typeof ZSetQuoteSettings>;

export const ZQuoteSettingsObject = z.object({
  object: z.literal("quote_settings"),
  /** Seconds a fiat-priced payment's quotes are locked (default 900). */
  quote_ttl: z.number().int(),
  /** Percent of the price a payment may fall short and still be paid (default "0.00"). */
  underpayment_tolerance: z.string(),
});
export type TQuoteSettingsObject = z.infer<typeof ZQuoteSettingsObject>;

/** "0.5" → 50 basis points, exactly (at most two decimals, validated by the schema). */
function toBps(percent: string): number {
  const [whole = "0", fraction = ""] = percent.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

const serialize = (row: {
  quoteTtlSeconds: number;
  underpaymentToleranceBps: number;
}): TQuoteSettingsObject => ({
  object: "quote_settings",
  quote_ttl: row.quoteTtlSeconds,
  underpayment_tolerance: `${Math.floor(row.underpaymentToleranceBps / 100)}.${String(row.underpaymentToleranceBps % 100).padStart(2, "0")}`,
});

const SELECT = { quoteTtlSeconds: true, underpaymentToleranceBps: true } as const;

export async function getQuoteSettings(deps: { db: Db } & AccessDeps, merchantId: string) {
  authorize(deps.actor, merchantId, "settings:read");
  const row = await deps.db.merchant.findUnique({ where: { id: merchantId }, select: SELECT });
  if (!row) throw new AppError("not_found", "Merchant not found");
  return serialize(row);
}

/**
 * Sets the quote window and underpayment tolerance (owner: the tolerance decides what counts as
 * paid). Applies to payments created afterwards; audited.
 */
export async function setQuoteSettings(
  deps: { db: Db; origin?: RequestOrigin } & AccessDeps,
  merchantId: string,
  input: TSetQuoteSettings,
): Promise<TQuoteSettingsObject> {
  authorize(deps.actor, merchantId, "settings:write");
  return deps.db.$transaction(async (tx) => {
    const row = await tx.merchant.update({
      where: { id: merchantId },
      data: {
        ...(input.quote_ttl === undefined ? {} : { quoteTtlSeconds: input.quote_ttl }),
        ...(input.underpayment_tolerance === undefined
          ? {}
          : { underpaymentToleranceBps: toBps(input.underpayment_tolerance) }),
      },
      select: SELECT,
    });
    const object = serialize(row);
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "settings.account_changed",
      details: { quote_ttl: object.quote_ttl, underpayment_tolerance: object.underpayment_tolerance },
      origin: deps.origin,
    });
    return object;
  });
}
