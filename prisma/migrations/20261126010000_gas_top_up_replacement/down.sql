-- ctrip:drops-money-data (gas top-ups: replaced transaction hashes and signing time)
-- Undoes 20261126010000_gas_top_up_replacement.
ALTER TABLE "hot_wallet_gas_top_ups" DROP COLUMN "replaced_tx_hashes",
DROP COLUMN "sent_at";
