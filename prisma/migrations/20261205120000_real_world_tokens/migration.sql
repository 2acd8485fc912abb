-- Issue 18, real-world tokens: a token that refuses transfers (paused, blacklisted) pauses the
-- sweep with that reason; sweeps and payouts record what the recipient actually received
-- (fee-on-transfer tokens deliver less than the amount sent).

-- AlterEnum
ALTER TYPE "sweep_paused_reason" ADD VALUE 'token_paused';
ALTER TYPE "sweep_paused_reason" ADD VALUE 'sender_blacklisted';
ALTER TYPE "sweep_paused_reason" ADD VALUE 'recipient_blacklisted';

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN "amount_received" DECIMAL(78,0);

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN "amount_received" DECIMAL(78,0);
