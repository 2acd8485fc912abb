-- Undoes 20261123110000_webhooks: delivery fan-out trigger, id function, secret rotation columns.
-- A rotated endpoint keeps only its current secret.
DROP TRIGGER "events_fan_out_webhook_deliveries" ON "events";
DROP FUNCTION "ctrip_fan_out_webhook_deliveries"();
DROP FUNCTION "ctrip_new_id"(TEXT);

ALTER TABLE "webhook_endpoints" DROP COLUMN "previous_secret_ciphertext",
DROP COLUMN "previous_secret_expires_at";
