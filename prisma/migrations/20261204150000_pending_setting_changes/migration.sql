-- Money-routing changes (treasury, payout limits, auto-approval): recorded, and loosening ones
-- delayed (MONEY_ROUTING_DELAY_SECONDS) until the apply job writes them to the live settings.

-- CreateEnum
CREATE TYPE "setting_change_kind" AS ENUM ('treasury', 'payout_limits');

-- CreateTable
CREATE TABLE "setting_changes" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "kind" "setting_change_kind" NOT NULL,
    "chain" TEXT NOT NULL,
    "token_symbol" TEXT,
    "mode" "settlement_mode",
    "address" TEXT,
    "max_per_payout" DECIMAL(78,0),
    "max_per_day" DECIMAL(78,0),
    "auto_approve_below" DECIMAL(78,0),
    "effective_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_type" TEXT NOT NULL,
    "created_by_id" TEXT,
    "canceled_at" TIMESTAMPTZ(3),
    "canceled_by_type" TEXT,
    "canceled_by_id" TEXT,
    "applied_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "setting_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "setting_changes_merchant_id_created_at_idx" ON "setting_changes"("merchant_id", "created_at");

-- CreateIndex
CREATE INDEX "setting_changes_effective_at_idx" ON "setting_changes"("effective_at");

-- AddForeignKey
ALTER TABLE "setting_changes" ADD CONSTRAINT "setting_changes_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
