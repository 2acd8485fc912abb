import type { Tx } from "../db/client";
import { newId } from "../ids";
import type { TEventType } from "./event-object";

/**
 * Writes a domain event in the caller's transaction (outbox): it exists exactly when the state
 * change it describes was committed. Webhook deliveries and Inngest events are derived from it.
 */
export async function recordEvent(
  tx: Tx,
  params: { merchantId: string; type: TEventType; objectId: string; object: object; createdAt?: Date },
): Promise<string> {
  const id = newId("evt");
  await tx.event.create({
    data: {
      id,
      merchantId: params.merchantId,
      type: params.type,
      objectId: params.objectId,
      data: params.object,
      ...(params.createdAt ? { createdAt: params.createdAt } : {}),
    },
    select: { id: true },
  });
  return id;
}
