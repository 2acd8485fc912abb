import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { ObservabilityMiddleware } from "./observability-middleware";

/**
 * The Inngest app. Keys and mode come from the environment, read by the SDK itself:
 * INNGEST_SIGNING_KEY / INNGEST_EVENT_KEY / INNGEST_BASE_URL (cloud or self-hosted) or INNGEST_DEV.
 * Without them the embedded runner drives the same services (lib/jobs). Its middleware counts the
 * runs and traces the steps (inngest/observability-middleware.ts).
 */
export const inngest = new Inngest({ id: "ctrip-pay", middleware: [ObservabilityMiddleware] });

// Typed events: one zod schema and one `eventType` per event. Use the event type as a trigger, to
// create events (`payoutApproved.create({ payout_id })`) and to parse `event.data`. The chain events of
// the declared jobs (chain/watch.requested, …) come from their declarations: inngest/job-functions.ts.

export const ZWebhookDeliveryRequested = z.object({
  delivery_id: z.string().regex(/^wd_[0-9A-Za-z]{22}$/),
  /** The endpoint's merchant: the delivery function's per-merchant concurrency key (absent on older events). */
  merchant_id: z.string().min(1).optional(),
});
export type TWebhookDeliveryRequested = z.infer<typeof ZWebhookDeliveryRequested>;
/** Deliver one webhook delivery on its retry schedule (sent by the webhook relay, id = delivery id). */
export const webhookDeliveryRequested = eventType("webhook/delivery.requested", {
  schema: ZWebhookDeliveryRequested,
});

export const ZPaymentConfirmed = z.object({ payment_id: z.string().min(1) });
export type TPaymentConfirmed = z.infer<typeof ZPaymentConfirmed>;
/** A payment reached `confirmed` (emitted from the payment.confirmed event): sweep it. */
export const paymentConfirmed = eventType("payment/confirmed", { schema: ZPaymentConfirmed });

export const ZPayoutApproved = z.object({ payout_id: z.string().regex(/^po_[0-9A-Za-z]{22}$/) });
export type TPayoutApproved = z.infer<typeof ZPayoutApproved>;
/** A payout was approved (id = payout id, so Inngest drops duplicates): send and confirm it. */
export const payoutApproved = eventType("payout/approved", { schema: ZPayoutApproved });
