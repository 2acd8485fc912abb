import { z } from "zod";

export const ZWebhookAttemptObject = z.object({
  id: z.string(),
  object: z.literal("webhook_attempt"),
  attempt_number: z.number().int(),
  /** Null when no HTTP response arrived (timeout, DNS error, connection refused). */
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  /** First 1 KB of the response body. */
  response_snippet: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
});

export const ZWebhookDeliveryObject = z.object({
  id: z.string(),
  object: z.literal("webhook_delivery"),
  event_id: z.string(),
  event_type: z.string(),
  endpoint_id: z.string(),
  status: z.enum(["pending", "succeeded", "failed"]),
  attempt_count: z.number().int(),
  next_attempt_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  created_at: z.string(),
  /** Present when retrieving one delivery: every attempt, oldest first. */
  attempts: z.array(ZWebhookAttemptObject).optional(),
});
export type TWebhookDeliveryObject = z.infer<typeof ZWebhookDeliveryObject>;

export const WEBHOOK_DELIVERY_SELECT = {
  id: true,
  eventId: true,
  endpointId: true,
  status: true,
  attemptCount: true,
  nextAttemptAt: true,
  lastAttemptAt: true,
  createdAt: true,
  event: { select: { type: true } },
} as const;

/** The columns of one attempt, as serialized into `attempts`. */
export const WEBHOOK_ATTEMPT_SELECT = {
  id: true,
  attemptNumber: true,
  statusCode: true,
  durationMs: true,
  responseSnippet: true,
  error: true,
  createdAt: true,
} as const;

type DeliveryRow = {
  id: string;
  eventId: string;
  endpointId: string;
  status: "pending" | "succeeded" | "failed";
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  event: { type: string };
};
type AttemptRow = {
  id: string;
  attemptNumber: number;
  statusCode: number | null;
  durationMs: number;
  responseSnippet: string | null;
  error: string | null;
  createdAt: Date;
};

export function serializeWebhookDelivery(row: DeliveryRow, attempts?: AttemptRow[]): TWebhookDeliveryObject {
  return {
    id: row.id,
    object: "webhook_delivery",
    event_id: row.eventId,
    event_type: row.event.type,
    endpoint_id: row.endpointId,
    status: row.status,
    attempt_count: row.attemptCount,
    // While an attempt is in flight, next_attempt_at holds its lease; it is still "when next".
    next_attempt_at: row.status === "pending" ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    last_attempt_at: row.lastAttemptAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    ...(attempts
      ? {
          attempts: attempts.map((attempt) => ({
            id: attempt.id,
            object: "webhook_attempt" as const,
            attempt_number: attempt.attemptNumber,
            status_code: attempt.statusCode,
            duration_ms: attempt.durationMs,
            response_snippet: attempt.responseSnippet,
            error: attempt.error,
            created_at: attempt.createdAt.toISOString(),
          })),
        }
      : {}),
  };
}
