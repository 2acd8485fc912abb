import type { Tx } from "../db/client";
import { newId } from "../ids";
import type { TEventType } from "./event-object";

export type RecordEventParams = {
  merchantId: string;
  type: TEventType;
  objectId: string;
  object: object;
  createdAt?: Date;
};

/**
 * Writes a domain event in the caller's transaction (outbox): it exists exactly when the state
 * change it describes was committed. Webhook deliveries and Inngest events are derived from it.
 */
export async function recordEvent(tx: Tx, params: RecordEventParams): Promise<string> {
  const [id] = await recordEvents(tx, [params]);
  return id as string;
}

/** {@link recordEvent} for several events in one statement; their ids, in order. */
export async function recordEvents(tx: Tx, events: readonly RecordEventParams[]): Promise<string[]> {
  const rows = events.map((params) => ({
    id: newId("evt"),
    merchantId: params.merchantId,
    type: params.type,
    objectId: params.objectId,
    data: params.object,
    ...(params.createdAt ? { createdAt: params.createdAt } : {}),
  }));
  if (rows.length > 0) await tx.event.createMany({ data: rows });
  return rows.map((row) => row.id);
}
