import type { Hex } from "viem";
import type { ChainClient } from "../chains/public-client";
import { isAlreadyBroadcast, shortMessage } from "../chains/rpc-error";
import type { Db } from "../db/client";

export type BroadcastOutcome =
  | { kind: "sent" }
  /** The node has it already: in its pool or mined ("already known", "nonce too low"). */
  | { kind: "known" }
  /** Refused (or the node is unreachable): the bytes stay recorded, the next pass sends them again. */
  | { kind: "failed"; message: string };

/** Sends recorded bytes to the node, exactly as signed. Never throws. */
export async function broadcastRawTransaction(
  client: Pick<ChainClient, "sendRawTransaction">,
  rawTx: Hex | string,
): Promise<BroadcastOutcome> {
  try {
    await client.sendRawTransaction({ serializedTransaction: rawTx as Hex });
    return { kind: "sent" };
  } catch (error) {
    if (isAlreadyBroadcast(error)) return { kind: "known" };
    return { kind: "failed", message: shortMessage(error) };
  }
}

/**
 * (Re-)broadcasts an outgoing transaction's recorded bytes, as they are: after a crash between
 * signing and broadcasting, the very transaction that was recorded goes out, never a second one.
 * A refusal is kept as the row's `last_error`.
 */
export async function broadcastOutgoingTransaction(
  db: Db,
  client: Pick<ChainClient, "sendRawTransaction">,
  id: string,
): Promise<BroadcastOutcome> {
  const row = await db.outgoingTransaction.findUniqueOrThrow({ where: { id }, select: { rawTx: true } });
  const outcome = await broadcastRawTransaction(client, row.rawTx);
  if (outcome.kind === "failed")
    await db.outgoingTransaction.update({
      where: { id },
      data: { lastError: `broadcast failed: ${outcome.message}` },
    });
  return outcome;
}
