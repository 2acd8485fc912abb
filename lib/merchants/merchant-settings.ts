import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { MAX_EXPIRES_IN, MIN_EXPIRES_IN } from "../payments/create-payment";
import { zText } from "../validation/text";

export type MerchantSettings = { name: string; brandColor: string | null; defaultExpiryMinutes: number };

/** Business name and brand colour (shown on the checkout) and the default payment expiry. */
export const ZMerchantSettings = z.object({
  name: zText().trim().min(1, "Enter the business name your customers know").max(100),
  brandColor: z
    .string()
    .trim()
    .transform((value) => value || null)
    .pipe(
      z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, "Use a hex colour such as #4f46e5")
        .transform((value) => value.toLowerCase())
        .nullable(),
    ),
  defaultExpiryMinutes: z.coerce
    .number()
    .int("Use whole minutes")
    .min(MIN_EXPIRES_IN / 60, `At least ${MIN_EXPIRES_IN / 60} minute`)
    .max(MAX_EXPIRES_IN / 60, `At most ${MAX_EXPIRES_IN / 60} minutes (7 days)`),
});
export type TMerchantSettings = z.infer<typeof ZMerchantSettings>;

export async function getMerchantSettings(db: Db, merchantId: string): Promise<MerchantSettings> {
  const merchant = await db.merchant.findUnique({
    where: { id: merchantId },
    select: { name: true, brandColor: true, defaultExpirySeconds: true },
  });
  if (!merchant) throw new AppError("not_found", "Merchant not found");
  return {
    name: merchant.name,
    brandColor: merchant.brandColor,
    defaultExpiryMinutes: Math.round(merchant.defaultExpirySeconds / 60),
  };
}

export async function updateMerchantSettings(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
  settings: TMerchantSettings,
): Promise<MerchantSettings> {
  authorize(actor, merchantId, "account:write");
  const merchant = await db.merchant.update({
    where: { id: merchantId },
    data: {
      name: settings.name,
      brandColor: settings.brandColor,
      defaultExpirySeconds: settings.defaultExpiryMinutes * 60,
    },
    select: { name: true, brandColor: true, defaultExpirySeconds: true },
  });
  return {
    name: merchant.name,
    brandColor: merchant.brandColor,
    defaultExpiryMinutes: Math.round(merchant.defaultExpirySeconds / 60),
  };
}
