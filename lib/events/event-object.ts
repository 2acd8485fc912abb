import { z } from "zod";

export const EVENT_TYPES = [
  "payment.created",
  "payment.detected",
  "payment.confirmed",
  "payment.settled",
  "payment.expired",
  "payment.canceled",
  "payment.reverted",
  "payment.paid_late",
  "payout.created",
  "payout.sent",
  "payout.confirmed",
  "payout.failed",
  /** A money-routing change (treasury, payout limits) was applied, scheduled or canceled. */
  "settings.updated",
] as const;
export const ZEventType = z.enum(EVENT_TYPES);
export type TEventType = z.infer<typeof ZEventType>;

/** The event object of the API and the body of every webhook delivery. */
export const ZEventObject = z.object({
  id: z.string(),
  object: z.literal("event"),
  type: ZEventType,
  created_at: z.string(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type TEventObject = z.infer<typeof ZEventObject>;

export const EVENT_SELECT = { id: true, type: true, createdAt: true, data: true } as const;

export function serializeEvent(row: {
  id: string;
  type: string;
  createdAt: Date;
  data: unknown;
}): TEventObject {
  return {
    id: row.id,
    object: "event",
    type: row.type as TEventType,
    created_at: row.createdAt.toISOString(),
    data: { object: row.data as Record<string, unknown> },
  };
}
