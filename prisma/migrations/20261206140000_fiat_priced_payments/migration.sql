-- Invoices priced in fiat (issue 21): a payment priced in a currency with one deposit address for
-- every accepted chain/token (its options, each with a locked quote), per-transfer fiat values, and
-- transfers the payment does not accept recorded against it until the merchant resolves them.

CREATE TYPE "transfer_resolution" AS ENUM ('accepted', 'refunded');

ALTER TABLE "merchants"
  ADD COLUMN "quote_ttl_seconds" INTEGER NOT NULL DEFAULT 900,
  ADD COLUMN "underpayment_tolerance_bps" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "payments"
  ADD COLUMN "price_amount" DECIMAL(78,0),
  ADD COLUMN "price_currency" TEXT,
  ADD COLUMN "underpayment_tolerance_bps" INTEGER,
  ADD COLUMN "value_received" DECIMAL(78,0),
  ADD COLUMN "option_paid" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "payment_options" (
    "payment_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "chain" TEXT NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "token_symbol" TEXT NOT NULL,
    "token_address" TEXT,
    "token_decimals" INTEGER NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "rate" TEXT NOT NULL,
    "rate_source" TEXT NOT NULL,
    "quote_expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_options_pkey" PRIMARY KEY ("payment_id","position")
);
CREATE UNIQUE INDEX "payment_options_payment_id_chain_token_symbol_key" ON "payment_options"("payment_id", "chain", "token_symbol");
ALTER TABLE "payment_options" ADD CONSTRAINT "payment_options_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "transfers"
  ADD COLUMN "fiat_value" DECIMAL(78,0),
  ADD COLUMN "fiat_rate" TEXT,
  ADD COLUMN "unattributed_payment_id" TEXT,
  ADD COLUMN "resolution" "transfer_resolution",
  ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
  ADD COLUMN "refund_payout_id" TEXT;
CREATE INDEX "transfers_unattributed_payment_id_idx" ON "transfers"("unattributed_payment_id");
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_unattributed_payment_id_fkey" FOREIGN KEY ("unattributed_payment_id") REFERENCES "payments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
