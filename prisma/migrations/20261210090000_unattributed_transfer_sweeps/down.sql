-- ctrip:drops-money-data
-- Undoes 20261210090000_unattributed_transfer_sweeps. Sweeps of unattributed transfers lose their
-- link (they stay, with their amounts and transactions); credits of accepted transfers become
-- `adjustment` entries (amount and balance unchanged, the payment named in the description); refund
-- addresses are forgotten. Fails, changing nothing, if one payment has two such sweeps in one coin.
DROP INDEX "balance_transactions_payment_id_type_chain_token_symbol_key";
UPDATE "balance_transactions"
  SET "type" = 'adjustment', "payment_id" = NULL,
      "description" = concat_ws('; ', "description", 'accepted transfer to payment ' || "payment_id")
  WHERE "type" = 'transfer_accepted';
UPDATE "balance_transactions" SET "payment_id" = NULL WHERE "transfer_id" IS NOT NULL;
ALTER TYPE "balance_transaction_type" RENAME TO "balance_transaction_type_old";
CREATE TYPE "balance_transaction_type" AS ENUM ('payment_settled', 'payout', 'payout_fee', 'payout_reversed', 'refund', 'adjustment');
ALTER TABLE "balance_transactions" ALTER COLUMN "type" TYPE "balance_transaction_type"
  USING ("type"::text::"balance_transaction_type");
DROP TYPE "balance_transaction_type_old";
ALTER TABLE "balance_transactions" DROP CONSTRAINT "balance_transactions_transfer_id_fkey";
DROP INDEX "balance_transactions_transfer_id_type_key";
ALTER TABLE "balance_transactions" DROP COLUMN "transfer_id";
CREATE UNIQUE INDEX "balance_transactions_payment_id_type_chain_token_symbol_key"
  ON "balance_transactions"("payment_id", "type", "chain", "token_symbol");

DROP INDEX "sweeps_payment_id_chain_token_address_transfer_id_key";
CREATE UNIQUE INDEX "sweeps_payment_id_chain_token_address_key"
  ON "sweeps"("payment_id", "chain", "token_address") NULLS NOT DISTINCT;
ALTER TABLE "sweeps" DROP CONSTRAINT "sweeps_transfer_id_fkey";
DROP INDEX "sweeps_transfer_id_key";
ALTER TABLE "sweeps" DROP COLUMN "transfer_id";

ALTER TABLE "transfers" DROP COLUMN "refund_address";
ALTER TABLE "transfers" ADD COLUMN "refund_payout_id" TEXT;
