-- Settlement: signed raw transactions recorded before broadcast, gas used and fees per step, and
-- one sweep per payment.

-- DropIndex
DROP INDEX "sweeps_payment_id_idx";

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN     "gas_fund_fee" DECIMAL(78,0),
ADD COLUMN     "gas_fund_gas_used" BIGINT,
ADD COLUMN     "gas_fund_raw_tx" TEXT,
ADD COLUMN     "gas_used" BIGINT,
ADD COLUMN     "raw_tx" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "sweeps_payment_id_key" ON "sweeps"("payment_id");
