-- ctrip:drops-money-data (payout limits, payouts' reserved fee, raw and replaced transactions)
-- Undoes 20261123140000_payouts (the CHECK on fee_reserved goes with its column).
DROP TABLE "payout_limits";

ALTER TABLE "payouts" DROP COLUMN "fee_reserved",
DROP COLUMN "raw_tx",
DROP COLUMN "replaced_tx_hashes";
