-- The chain watcher's per-tick questions answered from indexes, whatever the number of payments
-- (each ran 4 times per block; with thousands of pending payments they read the whole table):
-- - expiry ("this chain's pending payments due before the scanned block's time") becomes one range
--   of (chain, status, expires_at), which replaces (chain, status) and serves its queries as a prefix;
-- - "does this chain have watched payments native transfers can pay" reads (chain, token_address,
--   status, expires_at) for the chain's native payments and (price_currency, status, expires_at) for
--   the fiat-priced ones.

-- DropIndex
DROP INDEX "payments_chain_status_idx";

-- CreateIndex
CREATE INDEX "payments_chain_status_expires_at_idx" ON "payments"("chain", "status", "expires_at");

-- CreateIndex
CREATE INDEX "payments_chain_token_address_status_expires_at_idx" ON "payments"("chain", "token_address", "status", "expires_at");

-- CreateIndex
CREATE INDEX "payments_price_currency_status_expires_at_idx" ON "payments"("price_currency", "status", "expires_at");
