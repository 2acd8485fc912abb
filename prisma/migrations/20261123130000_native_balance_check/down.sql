-- Undoes 20261123130000_native_balance_check: the chain cursors' balance-check block and scan time
-- (the watcher re-checks native balances from its cursor afterwards).
ALTER TABLE "chain_cursors" DROP COLUMN "balances_checked_block",
DROP COLUMN "scanned_at";
