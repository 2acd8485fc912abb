import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { createMerchant } from "./create-merchant";

export const DEMO_MERCHANT_EMAIL = "demo@ctrip.local";

export type DemoMerchant = { merchantId: string; email: string; password: string };

/**
 * First boot of the embedded default: creates the demo merchant with a random password and returns
 * its sign-in (to print once). Returns null when any merchant already exists; the password is never
 * stored in clear, so it cannot be shown again.
 */
export async function ensureDemoMerchant(db: Db): Promise<DemoMerchant | null> {
  if ((await db.merchant.count()) > 0) return null;
  const password = randomBytes(12).toString("base64url");
  const created = await createMerchant(db, { name: "Demo Store", email: DEMO_MERCHANT_EMAIL, password });
  return { merchantId: created.merchantId, email: created.email, password };
}
