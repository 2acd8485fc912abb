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
  /** A fiat-priced payment whose quotes expired unpaid got new amounts at the current rates. */
  "payment.requoted",
  "payout.created",
  "payout.sent",
  "payout.confirmed",
  "payout.failed",
  /** A money-routing change (treasury, payout limits) was applied, scheduled or canceled. */
  "settings.updated",
] as const;
export const ZEventType = z.enum(EVENT_TYPES);
/**
 * The event of "send test event": logged with its delivery for the dashboard's delivery log, but not
 * an event of the account (never fanned out, not listed or retrieved by the events API).
 */
export const TEST_EVENT_TYPE = "webhook_endpoint.test";
export type TEventType = z.infer<typeof ZEventType>;

/** The event object of the API and the body of every webhook delivery. */
export const ZEventObject = z.object({
  id: z.string(),
  object: z.literal("event"),
  type: ZEventType,
  created_at: z.string(),
  data: z.object({
    object: z.record(z.string(), z.unknown()),
    /** `payment.reverted` after a chain reorganisation: its depth and the transfers it removed. */
    reorg: z
      .object({
        depth: z.number().int(),
        transfers_removed: z.array(
          z.object({
            tx_hash: z.string(),
            log_index: z.number().int(),
            amount: z.string(),
            block_number: z.string(),
            block_hash: z.string(),
          }),
        ),
      })
      .optional(),
  }),
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
    data: eventData(row.data as Record<string, unknown>),
  };
}

/** The stored data is the object; a reorg's details are stored in it and delivered beside it. */
function eventData({ reorg, ...object }: Record<string, unknown>): TEventObject["data"] {
  return reorg ? { object, reorg: reorg as TEventObject["data"]["reorg"] } : { object };
}
