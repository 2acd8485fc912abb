// What an RPC error says, safe to store and log: viem's messages carry the RPC URL (which may hold
// a provider key in its path or query) and the request body.
import { BaseError } from "viem";

const MAX_ERROR_LENGTH = 500;

/** A one-line RPC error message without the RPC URL or the request body. */
export function shortMessage(error: unknown): string {
  // viem's short message says what failed, its details why: "HTTP request failed. (fetch failed)".
  const message =
    error instanceof BaseError
      ? `${error.shortMessage}${error.details ? ` (${error.details})` : ""}`
      : error instanceof Error
        ? error.message
        : String(error);
  const firstLine = message.split("\n", 1)[0] ?? "";
  return firstLine.length > MAX_ERROR_LENGTH ? `${firstLine.slice(0, MAX_ERROR_LENGTH - 1)}…` : firstLine;
}

/**
 * A raw transaction the node refused because it has it already: in its pool ("already known") or
 * mined, or its nonce used ("nonce too low"). viem puts the node's reason in `details`, under a
 * generic "Transaction creation failed.".
 */
export function isAlreadyBroadcast(error: unknown): boolean {
  return /already known|known transaction|nonce too low|already imported/i.test(shortMessage(error));
}

/** A raw transaction the node refused because its pool holds it already (not: its nonce is used). */
export function isAlreadyInPool(error: unknown): boolean {
  return /already known|known transaction|already imported/i.test(shortMessage(error));
}
