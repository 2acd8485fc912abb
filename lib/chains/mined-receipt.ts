import { type Hex, type TransactionReceipt, TransactionReceiptNotFoundError } from "viem";
import type { ChainClient } from "./public-client";

/**
 * The receipt of whichever of these transactions was mined, or null. They share one sender and
 * nonce (a transaction and the replacements that superseded it), so at most one ever is.
 */
export async function minedReceipt(
  client: Pick<ChainClient, "getTransactionReceipt">,
  hashes: (string | null)[],
): Promise<TransactionReceipt | null> {
  for (const hash of hashes) {
    if (!hash) continue;
    try {
      return await client.getTransactionReceipt({ hash: hash as Hex });
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
    }
  }
  return null;
}
