-- Payouts: signed raw transactions recorded before broadcast (and the hashes they replaced), the fee
-- reserved per payout, and
-- per-merchant payout limits per chain and token.

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "fee_reserved" DECIMAL(78,0) NOT NULL DEFAULT 0,
ADD COLUMN     "raw_tx" TEXT,
ADD COLUMN     "replaced_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "payout_limits" (
    "merchant_id" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "token_symbol" TEXT NOT NULL,
    "max_per_payout" DECIMAL(78,0),
    "max_per_day" DECIMAL(78,0),
    "auto_approve_below" DECIMAL(78,0),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payout_limits_pkey" PRIMARY KEY ("merchant_id","chain","token_symbol")
);

-- AddForeignKey
ALTER TABLE "payout_limits" ADD CONSTRAINT "payout_limits_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Money invariants Prisma's schema language cannot express.
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_fee_reserved_non_negative" CHECK ("fee_reserved" >= 0);
