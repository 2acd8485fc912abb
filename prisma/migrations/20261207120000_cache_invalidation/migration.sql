-- The in-process API key cache (lib/api-keys/api-key-cache.ts, lib/db/invalidation.ts) is told by
-- PostgreSQL when a key is revoked, deleted or given other permissions, on every app instance at
-- once (channel ctrip_api_keys, payload the key's id). A trigger, so every writer (dashboard, API,
-- admin CLI, plain SQL) notifies; NOTIFY is delivered on commit.
CREATE FUNCTION "ctrip_notify_api_key"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ctrip_api_keys', OLD."id");
  RETURN NULL;
END;
$$;

CREATE TRIGGER "api_keys_notify_update" AFTER UPDATE ON "api_keys" FOR EACH ROW
  WHEN ((OLD."revoked_at", OLD."permissions", OLD."key_hash", OLD."merchant_id")
    IS DISTINCT FROM (NEW."revoked_at", NEW."permissions", NEW."key_hash", NEW."merchant_id"))
  EXECUTE FUNCTION "ctrip_notify_api_key"();
CREATE TRIGGER "api_keys_notify_delete" AFTER DELETE ON "api_keys" FOR EACH ROW
  EXECUTE FUNCTION "ctrip_notify_api_key"();
