-- Resolved unattributed transfers move (issue 21): a transfer in a coin the payment does not accept,
-- once the merchant accepts it, is swept to the chain's treasury or hot wallet (balance mode: credited
-- as `transfer_accepted`); once refunded, it is sent back to the address the merchant gave. Each by a
-- sweep of its own, linked to the transfer, that moves exactly that transfer's coins; a credit (and
-- its reversal after a reorg) names its transfer, at most once each.
ALTER TABLE "transfers" DROP COLUMN "refund_payout_id";
ALTER TABLE "transfers" ADD COLUMN "refund_address" TEXT;

ALTER TABLE "sweeps" ADD COLUMN "transfer_id" TEXT;
CREATE UNIQUE INDEX "sweeps_transfer_id_key" ON "sweeps"("transfer_id");
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
DROP INDEX "sweeps_payment_id_chain_token_address_key";
CREATE UNIQUE INDEX "sweeps_payment_id_chain_token_address_transfer_id_key"
  ON "sweeps"("payment_id", "chain", "token_address", "transfer_id") NULLS NOT DISTINCT;

ALTER TYPE "balance_transaction_type" ADD VALUE 'transfer_accepted';
ALTER TABLE "balance_transactions" ADD COLUMN "transfer_id" TEXT;
CREATE UNIQUE INDEX "balance_transactions_transfer_id_type_key" ON "balance_transactions"("transfer_id", "type");
ALTER TABLE "balance_transactions" ADD CONSTRAINT "balance_transactions_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- A payment's own entries stay one per (type, coin); a transfer's entries are one per type instead
-- (several accepted transfers of one payment may be in one coin).
DROP INDEX "balance_transactions_payment_id_type_chain_token_symbol_key";
CREATE UNIQUE INDEX "balance_transactions_payment_id_type_chain_token_symbol_key"
  ON "balance_transactions"("payment_id", "type", "chain", "token_symbol") WHERE "transfer_id" IS NULL;
