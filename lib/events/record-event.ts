import type { Tx } from "../db/client";
import { newId } from "../ids";
import { activeTraceParent } from "../observability/tracing";
import type { TEST_EVENT_TYPE, TEventType } from "./event-object";

export type RecordEventParams = {
  merchantId: string;
  type: TEventType | typeof TEST_EVENT_TYPE;
  objectId: string;
  object: object;
  createdAt?: Date;
};

/**
 * Writes a domain event in the caller's transaction (outbox): it exists exactly when the state
 * change it describes was committed. Webhook deliveries and Inngest events are derived from it; with
 * tracing on it keeps the active span's traceparent, so they continue the trace that caused it.
 */
export async function recordEvent(tx: Tx, params: RecordEventParams): Promise<string> {
  const [id] = await recordEvents(tx, [params]);
  return id as string;
}

/** {@link recordEvent} for several events in one statement; their ids, in order. */
export async function recordEvents(tx: Tx, events: readonly RecordEventParams[]): Promise<string[]> {
  const ids = events.map(() => newId("evt"));
  if (events.length > 0)
    await tx.$executeRaw`
      INSERT INTO events (id, merchant_id, type, object_id, data, created_at, trace_parent)
      SELECT e.id, e.merchant_id, e.type, e.object_id, e.data::jsonb, COALESCE(e.created_at, CURRENT_TIMESTAMP),
        ${activeTraceParent()}::text
      FROM unnest(${ids}::text[], ${events.map((e) => e.merchantId)}::text[], ${events.map((e) => e.type)}::text[],
        ${events.map((e) => e.objectId)}::text[], ${events.map((e) => JSON.stringify(e.object))}::text[],
        ${events.map((e) => e.createdAt ?? null)}::timestamptz[])
        AS e(id, merchant_id, type, object_id, data, created_at)`;
  return ids;
}
