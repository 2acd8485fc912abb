-- Undoes 20261207120000_cache_invalidation: the API key cache's change notifications (no data).
DROP TRIGGER "api_keys_notify_delete" ON "api_keys";
DROP TRIGGER "api_keys_notify_update" ON "api_keys";
DROP FUNCTION "ctrip_notify_api_key"();
