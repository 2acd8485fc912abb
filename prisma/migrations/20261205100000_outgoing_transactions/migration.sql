-- One outgoing-transaction engine (issue 18): every transaction we sign is recorded here before it
-- is broadcast, with its fees, replacements and the fee actually paid.

-- CreateEnum
CREATE TYPE "outgoing_transaction_purpose" AS ENUM ('sweep', 'sweep_gas_top_up', 'payout', 'hot_wallet_gas_top_up');

-- CreateEnum
CREATE TYPE "outgoing_transaction_status" AS ENUM ('pending', 'confirmed', 'reverted', 'paused');

-- CreateTable
CREATE TABLE "outgoing_transactions" (
    "id" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "nonce" INTEGER NOT NULL,
    "purpose" "outgoing_transaction_purpose" NOT NULL,
    "owner_id" TEXT NOT NULL,
    "status" "outgoing_transaction_status" NOT NULL DEFAULT 'pending',
    "to_address" TEXT NOT NULL,
    "value" DECIMAL(78,0) NOT NULL,
    "raw_tx" TEXT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "replaced_tx_hashes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "fee_type" TEXT NOT NULL,
    "max_fee_per_gas" DECIMAL(78,0) NOT NULL,
    "max_priority_fee_per_gas" DECIMAL(78,0),
    "gas_limit" DECIMAL(78,0) NOT NULL,
    "l1_fee" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "replacements" INTEGER NOT NULL DEFAULT 0,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "fee_paid" DECIMAL(78,0),
    "last_error" TEXT,
    "paused_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMPTZ(3),

    CONSTRAINT "outgoing_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outgoing_transactions_chain_status_idx" ON "outgoing_transactions"("chain", "status");

-- CreateIndex
CREATE INDEX "outgoing_transactions_purpose_owner_id_idx" ON "outgoing_transactions"("purpose", "owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "outgoing_transactions_chain_from_address_nonce_key" ON "outgoing_transactions"("chain", "from_address", "nonce");
