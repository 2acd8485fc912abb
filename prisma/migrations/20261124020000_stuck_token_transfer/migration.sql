-- Settlement: a stuck ERC-20 transfer is replaced after an extra gas top-up (the transfer's hashes
-- are kept while the top-up is in flight), and every mined top-up's hash is kept.

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN     "stuck_transfer_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "gas_fund_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[];
