-- ctrip:drops-money-data
-- Undoes 20261209090000_balance_transaction_gross_fee: payment credits lose their gross and fee
-- (the net amount and every balance stay; the split can be recomputed from the payment's transfers).
ALTER TABLE "balance_transactions"
  DROP COLUMN "gross",
  DROP COLUMN "fee";
