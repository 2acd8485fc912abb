-- Settlement: stuck transactions replaced with a higher fee (signing time and replaced hashes of the
-- step in flight), and sweeps paused on an underfunded gas tank (reported by health and metrics).

-- CreateEnum
CREATE TYPE "sweep_paused_reason" AS ENUM ('gas_tank_insufficient');

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN     "in_flight_since" TIMESTAMPTZ(3),
ADD COLUMN     "paused_reason" "sweep_paused_reason",
ADD COLUMN     "replaced_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "sweeps_chain_paused_reason_idx" ON "sweeps"("chain", "paused_reason");
