-- ctrip:drops-money-data
-- Undoes 20261205120000_real_world_tokens. PostgreSQL cannot drop an enum value: the type is
-- recreated without the three token reasons (sweeps paused for them lose the reason, their
-- last_error still says why; the sweeper sets it again on its next pass).
ALTER TABLE "payouts" DROP COLUMN "amount_received";
ALTER TABLE "sweeps" DROP COLUMN "amount_received";

UPDATE "sweeps" SET "paused_reason" = NULL
  WHERE "paused_reason" IN ('token_paused', 'sender_blacklisted', 'recipient_blacklisted');
ALTER TYPE "sweep_paused_reason" RENAME TO "sweep_paused_reason_old";
CREATE TYPE "sweep_paused_reason" AS ENUM ('gas_tank_insufficient');
ALTER TABLE "sweeps" ALTER COLUMN "paused_reason" TYPE "sweep_paused_reason"
  USING ("paused_reason"::text::"sweep_paused_reason");
DROP TYPE "sweep_paused_reason_old";
