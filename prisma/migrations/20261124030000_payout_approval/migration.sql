-- Payout approval is an owner privilege: API keys carry explicit permissions (`payouts:approve`),
-- and each payout records who approved or rejected it. Token payouts of a merchant without the
-- native coin get their gas from the gas tank: top-ups of hot wallets, and payouts marked sponsored.

-- CreateEnum
CREATE TYPE "gas_top_up_status" AS ENUM ('sent', 'confirmed');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "permissions" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "gas_sponsored" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "reviewed_by" TEXT;

-- CreateTable
CREATE TABLE "hot_wallet_gas_top_ups" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "status" "gas_top_up_status" NOT NULL DEFAULT 'sent',
    "nonce" INTEGER NOT NULL,
    "raw_tx" TEXT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "fee" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMPTZ(3),

    CONSTRAINT "hot_wallet_gas_top_ups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "hot_wallet_gas_top_ups_chain_status_idx" ON "hot_wallet_gas_top_ups"("chain", "status");

-- CreateIndex
CREATE INDEX "hot_wallet_gas_top_ups_merchant_id_chain_idx" ON "hot_wallet_gas_top_ups"("merchant_id", "chain");

-- AddForeignKey
ALTER TABLE "hot_wallet_gas_top_ups" ADD CONSTRAINT "hot_wallet_gas_top_ups_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey: ledger entries of a payout (a refund's entries reach the refunded payment).
ALTER TABLE "balance_transactions" ADD CONSTRAINT "balance_transactions_payout_id_fkey" FOREIGN KEY ("payout_id") REFERENCES "payouts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Money invariant Prisma's schema language cannot express.
ALTER TABLE "hot_wallet_gas_top_ups" ADD CONSTRAINT "hot_wallet_gas_top_ups_amount_positive" CHECK ("amount" > 0);
