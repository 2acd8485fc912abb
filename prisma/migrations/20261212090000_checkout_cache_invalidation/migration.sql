-- The checkout's in-process row cache (lib/checkout/checkout-row.ts, lib/db/notified-cache.ts) is
-- told by PostgreSQL when what it shows changes, on every app instance at once: a payment's row
-- (status, amounts, confirmations, expiry…; channel ctrip_payments, payload the payment id), its
-- quote options (the re-quote time; same channel), and the merchant's name or brand colour
-- (channel ctrip_merchants, payload the merchant id). Triggers, so every writer notifies; NOTIFY is
-- delivered on commit, and repeated payloads in one transaction are sent once. A new payment is not
-- cached yet, so inserting one notifies nobody (the create path stays as it was).
CREATE FUNCTION "ctrip_notify_payment"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ctrip_payments', OLD."id");
  RETURN NULL;
END;
$$;

CREATE FUNCTION "ctrip_notify_payment_option"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('ctrip_payments', OLD."payment_id");
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('ctrip_payments', NEW."payment_id");
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "ctrip_notify_merchant"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ctrip_merchants', OLD."id");
  RETURN NULL;
END;
$$;

CREATE TRIGGER "payments_notify_update" AFTER UPDATE ON "payments" FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION "ctrip_notify_payment"();
CREATE TRIGGER "payments_notify_delete" AFTER DELETE ON "payments" FOR EACH ROW
  EXECUTE FUNCTION "ctrip_notify_payment"();
CREATE TRIGGER "payment_options_notify" AFTER INSERT OR UPDATE OR DELETE ON "payment_options" FOR EACH ROW
  EXECUTE FUNCTION "ctrip_notify_payment_option"();
CREATE TRIGGER "merchants_notify_update" AFTER UPDATE ON "merchants" FOR EACH ROW
  WHEN ((OLD."name", OLD."brand_color") IS DISTINCT FROM (NEW."name", NEW."brand_color"))
  EXECUTE FUNCTION "ctrip_notify_merchant"();
CREATE TRIGGER "merchants_notify_delete" AFTER DELETE ON "merchants" FOR EACH ROW
  EXECUTE FUNCTION "ctrip_notify_merchant"();
