import type { Db, Tx } from "../db/client";

export type LedgerMismatch = {
  merchantId: string;
  chain: string;
  tokenSymbol: string;
  /** The balance row (0 when there is none). */
  available: bigint;
  /** The sum of every ledger entry. */
  ledger: bigint;
};

/**
 * Rebuilds every balance from the ledger and returns the balances whose row disagrees with the sum
 * of its entries (empty when the books are consistent). Optionally limited to one merchant.
 */
export async function findLedgerMismatches(db: Db | Tx, merchantId?: string): Promise<LedgerMismatch[]> {
  const rows = await db.$queryRaw<
    { merchant_id: string; chain: string; token_symbol: string; available: string; ledger: string }[]
  >`
    WITH sums AS (
      SELECT merchant_id, chain, token_symbol, SUM(amount) AS ledger
      FROM balance_transactions
      WHERE ${merchantId ?? null}::text IS NULL OR merchant_id = ${merchantId ?? null}::text
      GROUP BY merchant_id, chain, token_symbol
    ), rows AS (
      SELECT merchant_id, chain, token_symbol, available FROM balances
      WHERE ${merchantId ?? null}::text IS NULL OR merchant_id = ${merchantId ?? null}::text
    )
    SELECT COALESCE(r.merchant_id, s.merchant_id) AS merchant_id,
           COALESCE(r.chain, s.chain) AS chain,
           COALESCE(r.token_symbol, s.token_symbol) AS token_symbol,
           COALESCE(r.available, 0)::text AS available,
           COALESCE(s.ledger, 0)::text AS ledger
    FROM rows r FULL OUTER JOIN sums s USING (merchant_id, chain, token_symbol)
    WHERE COALESCE(r.available, 0) <> COALESCE(s.ledger, 0)`;
  return rows.map((row) => ({
    merchantId: row.merchant_id,
    chain: row.chain,
    tokenSymbol: row.token_symbol,
    available: BigInt(row.available),
    ledger: BigInt(row.ledger),
  }));
}
