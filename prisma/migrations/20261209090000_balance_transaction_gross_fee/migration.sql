-- Gross, fee and net of a payment credit (issue 23): a balance-mode payment's `payment_settled`
-- entry keeps what the payer sent in that coin (gross) and all that did not reach the hot wallet
-- (fee: the sweep's gas, the gas reserve left at the deposit, a fee-on-transfer token's cut), so the
-- ledger explains 0.499979 ETH credited for a 0.5 ETH payment. amount (net) = gross - fee.
ALTER TABLE "balance_transactions" ADD COLUMN "gross" DECIMAL(78,0);
ALTER TABLE "balance_transactions" ADD COLUMN "fee" DECIMAL(78,0);

-- Existing credits: the coin is the one of the payment's only confirmed balance-mode sweep on the
-- entry's chain (a payment paid in two coins of one chain stays unsplit: null); gross is the sum of
-- the payment's transfers in it, never less than the credit.
UPDATE "balance_transactions" AS bt
SET "gross" = GREATEST(sent.total, bt."amount"),
    "fee" = GREATEST(sent.total, bt."amount") - bt."amount"
FROM "sweeps" AS s
CROSS JOIN LATERAL (
  SELECT COALESCE(sum(t."amount"), 0) AS total FROM "transfers" AS t
  WHERE t."payment_id" = s."payment_id" AND t."chain" = s."chain"
    AND t."token_address" IS NOT DISTINCT FROM s."token_address" AND t."status" <> 'reverted'
) AS sent
WHERE bt."type" = 'payment_settled'
  AND s."payment_id" = bt."payment_id"
  AND s."chain" = bt."chain"
  AND s."mode" = 'balance'
  AND s."status" = 'confirmed'
  AND (SELECT count(*) FROM "sweeps" AS other
       WHERE other."payment_id" = bt."payment_id" AND other."chain" = bt."chain" AND other."mode" = 'balance') = 1;
