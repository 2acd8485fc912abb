-- A fiat-priced payment paid in several coins is swept (and, in balance mode, credited) once per
-- coin: one sweep per (payment, chain, token) — the native coin's NULL token_address counts as one
-- value (NULLS NOT DISTINCT) — and one `payment_settled` ledger entry per (payment, chain, token).
DROP INDEX "sweeps_payment_id_key";
CREATE UNIQUE INDEX "sweeps_payment_id_chain_token_address_key" ON "sweeps"("payment_id", "chain", "token_address") NULLS NOT DISTINCT;
DROP INDEX "balance_transactions_payment_id_type_key";
CREATE UNIQUE INDEX "balance_transactions_payment_id_type_chain_token_symbol_key" ON "balance_transactions"("payment_id", "type", "chain", "token_symbol");
