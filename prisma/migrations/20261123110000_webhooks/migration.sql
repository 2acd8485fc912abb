-- Webhooks: secret rotation overlap, and delivery fan-out inside the database.

-- After a rotation the previous secret keeps signing (alongside the new one) until it expires.
ALTER TABLE "webhook_endpoints" ADD COLUMN "previous_secret_ciphertext" TEXT,
ADD COLUMN "previous_secret_expires_at" TIMESTAMPTZ(3);

-- A prefixed id like lib/ids.ts newId(): 22 base-62 characters from at least 128 random bits
-- (130 bits taken from two gen_random_uuid(), skipping the uuid's fixed version digit).
CREATE FUNCTION "ctrip_new_id"(prefix TEXT) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  alphabet CONSTANT TEXT := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  first_uuid TEXT := replace(gen_random_uuid()::text, '-', '');
  hex TEXT := substr(first_uuid, 1, 12) || substr(first_uuid, 14) || substr(replace(gen_random_uuid()::text, '-', ''), 1, 2);
  value NUMERIC := 0;
  body TEXT := '';
  i INT;
BEGIN
  FOR i IN 1..length(hex) LOOP
    value := value * 16 + ('x' || lpad(substr(hex, i, 1), 8, '0'))::bit(32)::int;
  END LOOP;
  FOR i IN 1..22 LOOP
    body := substr(alphabet, (mod(value, 62))::int + 1, 1) || body;
    value := div(value, 62);
  END LOOP;
  RETURN prefix || '_' || body;
END $$;

-- Delivery fan-out: one pending delivery per (event, matching enabled endpoint), written by the
-- same statement that inserts the event, whatever inserted it (recordEvent, the raw-SQL CTE of
-- createPayment, the scanner). A trigger cannot be forgotten by a new code path; doing it in
-- application code would have to be repeated in every writer of events.
CREATE FUNCTION "ctrip_fan_out_webhook_deliveries"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "webhook_deliveries" ("id", "event_id", "endpoint_id", "status", "next_attempt_at", "created_at", "updated_at")
  SELECT ctrip_new_id('wd'), NEW."id", endpoint."id", 'pending', clock_timestamp(), NEW."created_at", clock_timestamp()
  FROM "webhook_endpoints" endpoint
  WHERE endpoint."merchant_id" = NEW."merchant_id"
    AND NOT endpoint."disabled"
    AND endpoint."deleted_at" IS NULL
    AND (cardinality(endpoint."enabled_events") = 0 OR NEW."type" = ANY (endpoint."enabled_events"));
  RETURN NULL;
END $$;

CREATE TRIGGER "events_fan_out_webhook_deliveries" AFTER INSERT ON "events"
FOR EACH ROW EXECUTE FUNCTION "ctrip_fan_out_webhook_deliveries"();
