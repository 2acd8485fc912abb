-- Undoes 20261211090000_payment_watch_indexes (the watcher's queries read more rows again).
DROP INDEX "payments_fiat_watch_idx";
DROP INDEX "payments_native_watch_idx";
DROP INDEX "payments_chain_status_expires_at_idx";
CREATE INDEX "payments_chain_status_idx" ON "payments"("chain", "status");
