-- Undoes 20261211090000_payment_watch_indexes (the watcher's queries read more rows again).
DROP INDEX "payments_price_currency_status_expires_at_idx";
DROP INDEX "payments_chain_token_address_status_expires_at_idx";
DROP INDEX "payments_chain_status_expires_at_idx";
CREATE INDEX "payments_chain_status_idx" ON "payments"("chain", "status");
