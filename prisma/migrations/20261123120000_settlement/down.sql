-- ctrip:drops-money-data (sweep fees, gas used and the signed raw transactions)
-- Undoes 20261123120000_settlement.
DROP INDEX "sweeps_payment_id_key";

ALTER TABLE "sweeps" DROP COLUMN "gas_fund_fee",
DROP COLUMN "gas_fund_gas_used",
DROP COLUMN "gas_fund_raw_tx",
DROP COLUMN "gas_used",
DROP COLUMN "raw_tx";

CREATE INDEX "sweeps_payment_id_idx" ON "sweeps"("payment_id");
