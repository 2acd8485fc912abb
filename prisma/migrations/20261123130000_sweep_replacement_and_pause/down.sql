-- ctrip:drops-money-data (sweeps: replaced transaction hashes, in-flight time, pause reason)
-- Undoes 20261123130000_sweep_replacement_and_pause.
DROP INDEX "sweeps_chain_paused_reason_idx";

ALTER TABLE "sweeps" DROP COLUMN "in_flight_since",
DROP COLUMN "paused_reason",
DROP COLUMN "replaced_tx_hashes";

DROP TYPE "sweep_paused_reason";
