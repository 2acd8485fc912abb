-- Undoes 20261212090000_checkout_cache_invalidation: the checkout row cache's change notifications (no data).
DROP TRIGGER "merchants_notify_delete" ON "merchants";
DROP TRIGGER "merchants_notify_update" ON "merchants";
DROP TRIGGER "payment_options_notify" ON "payment_options";
DROP TRIGGER "payments_notify_delete" ON "payments";
DROP TRIGGER "payments_notify_update" ON "payments";
DROP FUNCTION "ctrip_notify_merchant"();
DROP FUNCTION "ctrip_notify_payment_option"();
DROP FUNCTION "ctrip_notify_payment"();
