-- Settlement: the hash of every sweep transaction that was mined but reverted is kept (the sweep's
-- tx_hash moves on to the next attempt).

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN     "reverted_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[];
