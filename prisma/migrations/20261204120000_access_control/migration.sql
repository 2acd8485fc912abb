-- Access control: the developer role, explicit API-key permissions and the append-only audit log.

-- AlterEnum
ALTER TYPE "user_role" ADD VALUE 'developer' BEFORE 'viewer';

-- Keys made before explicit permissions could use the whole integration API: they get the default
-- set (everything but payouts:approve and settings:write), plus what they already had.
UPDATE "api_keys" SET "permissions" = ARRAY(
  SELECT DISTINCT p FROM unnest("permissions" || ARRAY[
    'payments:read', 'payments:write', 'refunds:write', 'payouts:read', 'payouts:write',
    'balances:read', 'webhooks:read', 'webhooks:write', 'events:read', 'settings:read', 'audit:read'
  ]::TEXT[]) AS p ORDER BY p
);

-- CreateTable
CREATE TABLE "audit_log_entries" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "target_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "client_address" TEXT,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_entries_merchant_id_created_at_id_idx" ON "audit_log_entries"("merchant_id", "created_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "audit_log_entries" ADD CONSTRAINT "audit_log_entries_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Append-only: entries are never changed or removed, not even by the application's own role.
CREATE FUNCTION "audit_log_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log_entries is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_log_entries_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log_entries"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_entries_append_only"();
CREATE TRIGGER "audit_log_entries_no_truncate" BEFORE TRUNCATE ON "audit_log_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_entries_append_only"();
