-- ctrip:drops-money-data
-- Undoes 20261206140000_fiat_priced_payments: fiat prices, quotes, per-transfer fiat values and the
-- unattributed-transfer records are lost (the transfers themselves stay).
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_unattributed_payment_id_fkey";
DROP INDEX "transfers_unattributed_payment_id_idx";
ALTER TABLE "transfers"
  DROP COLUMN "refund_payout_id",
  DROP COLUMN "resolved_at",
  DROP COLUMN "resolution",
  DROP COLUMN "unattributed_payment_id",
  DROP COLUMN "fiat_rate",
  DROP COLUMN "fiat_value";
DROP TABLE "payment_options";
ALTER TABLE "payments"
  DROP COLUMN "option_paid",
  DROP COLUMN "value_received",
  DROP COLUMN "underpayment_tolerance_bps",
  DROP COLUMN "price_currency",
  DROP COLUMN "price_amount";
ALTER TABLE "merchants"
  DROP COLUMN "underpayment_tolerance_bps",
  DROP COLUMN "quote_ttl_seconds";
DROP TYPE "transfer_resolution";
