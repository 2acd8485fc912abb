-- Chain truth (issue 17): a reorg after settlement is an exception of the payment, the balance may
-- go negative (owed) to stay honest, and deep reorgs are recorded as incidents until acknowledged.

-- AlterEnum
ALTER TYPE "payment_exception" ADD VALUE 'reorged_after_settlement';

-- A balance is negative only when a reorg took back funds already credited (payouts refuse then).
ALTER TABLE "balances" DROP CONSTRAINT "balances_available_non_negative";

-- CreateEnum
CREATE TYPE "chain_incident_kind" AS ENUM ('deep_reorg', 'reorged_after_settlement');

-- CreateTable
CREATE TABLE "chain_incidents" (
    "id" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "kind" "chain_incident_kind" NOT NULL,
    "merchant_id" TEXT,
    "payment_id" TEXT,
    "depth" INTEGER NOT NULL,
    "ancestor_block" BIGINT,
    "ancestor_hash" TEXT,
    "orphaned_block" BIGINT,
    "orphaned_hash" TEXT,
    "replacement_hash" TEXT,
    "detail" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,

    CONSTRAINT "chain_incidents_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "chain_incidents_acknowledged_at_created_at_idx" ON "chain_incidents"("acknowledged_at", "created_at");

-- CreateIndex
CREATE INDEX "chain_incidents_merchant_id_created_at_idx" ON "chain_incidents"("merchant_id", "created_at");
