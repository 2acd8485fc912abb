-- ctrip:drops-money-data (chain incidents; payments lose the reorged_after_settlement exception)
-- Undoes 20261204170000_reorg_after_settlement. Refused by PostgreSQL while a balance is negative
-- (the restored CHECK fails): settle what the reorg took back first.
DROP TABLE "chain_incidents";
DROP TYPE "chain_incident_kind";

ALTER TABLE "balances" ADD CONSTRAINT "balances_available_non_negative" CHECK ("available" >= 0);

-- PostgreSQL cannot remove an enum value: the type is recreated without it.
ALTER TYPE "payment_exception" RENAME TO "payment_exception_before_down";
CREATE TYPE "payment_exception" AS ENUM ('overpaid', 'underpaid', 'paid_late');
ALTER TABLE "payments" ALTER COLUMN "exception" TYPE "payment_exception"
  USING (NULLIF("exception"::TEXT, 'reorged_after_settlement'))::"payment_exception";
ALTER TABLE "payment_status_changes" ALTER COLUMN "exception" TYPE "payment_exception"
  USING (NULLIF("exception"::TEXT, 'reorged_after_settlement'))::"payment_exception";
DROP TYPE "payment_exception_before_down";
