-- ctrip:drops-money-data (sweeps: hashes of stuck transfers and of mined gas top-ups)
-- Undoes 20261124020000_stuck_token_transfer.
ALTER TABLE "sweeps" DROP COLUMN "stuck_transfer_tx_hashes",
DROP COLUMN "gas_fund_tx_hashes";
