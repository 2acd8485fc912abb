-- The chain watcher's per-tick questions answered from indexes, whatever the number of payments
-- and whatever the statistics say (each ran 4 times per block; with thousands of pending payments,
-- or a table that grew faster than autovacuum analyses it, they read the whole table):
-- - expiry ("this chain's pending payments due before the scanned block's time") becomes one range
--   of (chain, status, expires_at), which replaces (chain, status) and serves its queries as a prefix;
-- - "any watched payments native transfers can pay?" reads two small partial indexes: the native
--   payments' (chain, status, expires_at) and the fiat-priced payments' (status, expires_at).

-- DropIndex
DROP INDEX "payments_chain_status_idx";

-- CreateIndex
CREATE INDEX "payments_chain_status_expires_at_idx" ON "payments"("chain", "status", "expires_at");

-- CreateIndex
CREATE INDEX "payments_native_watch_idx" ON "payments"("chain", "status", "expires_at") WHERE token_address IS NULL;

-- CreateIndex
CREATE INDEX "payments_fiat_watch_idx" ON "payments"("status", "expires_at") WHERE price_currency IS NOT NULL;
