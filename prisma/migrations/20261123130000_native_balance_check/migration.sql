-- Native balance check: the block at which the open native deposit addresses' balances were last
-- compared with their recorded transfers (ETH sent by contracts is invisible to the block scan).

-- AlterTable
ALTER TABLE "chain_cursors" ADD COLUMN "balances_checked_block" BIGINT;
