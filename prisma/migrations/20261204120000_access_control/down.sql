-- Undoes 20261204120000_access_control: the audit log (its append-only triggers go with the table)
-- and the developer role. Members with the developer role become viewers (the least privilege of
-- the old roles). The default permissions the migration granted to older keys stay: the old code
-- ignores them.
DROP TABLE "audit_log_entries";
DROP FUNCTION "audit_log_entries_append_only"();

-- PostgreSQL cannot remove an enum value: the type is recreated without it.
ALTER TYPE "user_role" RENAME TO "user_role_before_down";
CREATE TYPE "user_role" AS ENUM ('owner', 'admin', 'viewer');
ALTER TABLE "users" ALTER COLUMN "role" DROP DEFAULT;
ALTER TABLE "users" ALTER COLUMN "role" TYPE "user_role"
  USING (CASE WHEN "role"::TEXT = 'developer' THEN 'viewer' ELSE "role"::TEXT END)::"user_role";
ALTER TABLE "users" ALTER COLUMN "role" SET DEFAULT 'owner';
DROP TYPE "user_role_before_down";
