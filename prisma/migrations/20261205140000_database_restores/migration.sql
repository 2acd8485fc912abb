-- Backup and restore: every restore is recorded (when, from which backup, the chain cursors the
-- scanner resumed from) together with the safety margins it applied, so no deposit address or
-- merchant account handed out after the backup is ever handed out again: each merchant's deposit
-- index was advanced by deposit_index_gap, and new merchants take BIP-44 accounts above
-- hd_account_floor.

-- CreateTable
CREATE TABLE "database_restores" (
    "id" TEXT NOT NULL,
    "backup_taken_at" TIMESTAMPTZ(3) NOT NULL,
    "backup_migration" TEXT NOT NULL,
    "deposit_index_gap" INTEGER NOT NULL,
    "hd_account_floor" INTEGER NOT NULL,
    "chain_cursors" JSONB NOT NULL,
    "restored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "database_restores_pkey" PRIMARY KEY ("id")
);
