-- Payouts: a gas-tank top-up of a hot wallet stuck in the mempool is replaced at a higher fee (same
-- nonce); the hashes it replaced are kept, and sent_at is when the current transaction was signed.

-- AlterTable
ALTER TABLE "hot_wallet_gas_top_ups" ADD COLUMN     "replaced_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
