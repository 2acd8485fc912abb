import { configuredChains } from "../config/chains";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { TCheckoutObject } from "./checkout-object";
import { getCheckoutOrThrow } from "./get-checkout";
import { qrCodeSvg } from "./qr-code-svg";

export type CheckoutPageData = { checkout: TCheckoutObject; qrSvg: string | null };

/** What /pay/[id] renders on first paint; null for an unknown (or malformed) id. */
export async function loadCheckoutPage(id: string): Promise<CheckoutPageData | null> {
  try {
    const checkout = await getCheckoutOrThrow(db(), configuredChains(), id);
    const qrSvg = checkout.remaining_payment_uri ? await qrCodeSvg(checkout.remaining_payment_uri) : null;
    return { checkout, qrSvg };
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
}
