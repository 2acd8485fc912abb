import type { Address } from "viem";
import type { ChainClient } from "../chains/public-client";
import type { Tx } from "../db/client";

/**
 * The next nonce of one of our sending accounts, allocated under a row lock of
 * `chain_account_nonces` in the caller's transaction: the larger of what the database has handed
 * out and the node's pending count. Survives restarts (the row), and a transaction signed and
 * recorded but not yet broadcast still holds its nonce (the row is past it), so no two transactions
 * ever share one.
 */
export async function allocateNonce(
  tx: Tx,
  client: Pick<ChainClient, "getTransactionCount">,
  params: { chain: string; address: Address },
): Promise<number> {
  const { chain, address } = params;
  await tx.$executeRaw`
    INSERT INTO chain_account_nonces (chain, address, next_nonce, updated_at)
    VALUES (${chain}, ${address}, 0, now()) ON CONFLICT DO NOTHING`;
  const [row] = await tx.$queryRaw<{ next_nonce: number }[]>`
    SELECT next_nonce FROM chain_account_nonces WHERE chain = ${chain} AND address = ${address} FOR UPDATE`;
  const pending = await client.getTransactionCount({ address, blockTag: "pending" });
  const nonce = Math.max(row?.next_nonce ?? 0, pending);
  await tx.$executeRaw`
    UPDATE chain_account_nonces SET next_nonce = ${nonce + 1}, updated_at = now()
    WHERE chain = ${chain} AND address = ${address}`;
  return nonce;
}
