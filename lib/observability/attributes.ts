// Span attribute names of our own objects (no semantic convention exists for them). Ids only:
// never an amount's owner data, an address' key, a secret or a request body.
export const ATTR_MERCHANT_ID = "ctrip.merchant.id";
export const ATTR_PAYMENT_ID = "ctrip.payment.id";
export const ATTR_PAYOUT_ID = "ctrip.payout.id";
export const ATTR_EVENT_ID = "ctrip.event.id";
export const ATTR_WEBHOOK_DELIVERY_ID = "ctrip.webhook.delivery.id";
export const ATTR_JOB = "ctrip.job";
export const ATTR_JOB_STEP = "ctrip.job.step";
export const ATTR_CHAIN = "ctrip.chain";

/** The attribute of an object id by its prefix (`pay_…` → payment id), if it is one we trace. */
export function objectIdAttribute(objectId: string): string | undefined {
  if (objectId.startsWith("pay_")) return ATTR_PAYMENT_ID;
  if (objectId.startsWith("po_")) return ATTR_PAYOUT_ID;
  return undefined;
}
