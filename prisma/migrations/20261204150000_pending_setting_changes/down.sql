-- ctrip:drops-money-data (pending and past money-routing changes: treasury addresses, payout limits)
-- Undoes 20261204150000_pending_setting_changes. Changes not yet applied are lost.
DROP TABLE "setting_changes";
DROP TYPE "setting_change_kind";
