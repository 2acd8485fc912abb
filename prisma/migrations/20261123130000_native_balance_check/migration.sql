-- Chain watcher: the block at which the open native deposit addresses' balances were last compared
-- with their recorded transfers (ETH sent by contracts is invisible to the block scan), and the end
-- of the watcher's last successful scan tick (the supervisor restarts loops that stopped ticking).

-- AlterTable
ALTER TABLE "chain_cursors" ADD COLUMN "balances_checked_block" BIGINT,
ADD COLUMN "scanned_at" TIMESTAMPTZ(3);
