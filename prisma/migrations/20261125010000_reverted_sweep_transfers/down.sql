-- ctrip:drops-money-data (sweeps: hashes of mined but reverted sweep transactions)
-- Undoes 20261125010000_reverted_sweep_transfers.
ALTER TABLE "sweeps" DROP COLUMN "reverted_tx_hashes";
