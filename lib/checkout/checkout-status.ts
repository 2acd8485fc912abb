// What a checkout status means for the payer's page. Client-safe and free of zod, so the checkout's
// first load does not carry the schema library (see BENCHMARKS.md "Checkout page JavaScript").
import type { TCheckoutObject } from "./checkout-object";

export type TCheckoutStatus = TCheckoutObject["status"];

/** States after which nothing the payer does changes the outcome: polling can stop. */
export function isFinalCheckoutStatus(status: TCheckoutStatus): boolean {
  return status === "confirmed" || status === "settled" || status === "canceled";
}

/** Paid: the merchant has (or will have, once confirmed) the full amount. */
export function isPaidCheckoutStatus(status: TCheckoutStatus): boolean {
  return status === "confirmed" || status === "settled";
}
