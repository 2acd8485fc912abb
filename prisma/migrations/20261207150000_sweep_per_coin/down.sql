-- Undoes 20261207150000_sweep_per_coin. It refuses (unique violation, nothing changed) while a
-- payment has more than one sweep, or more than one ledger entry of a type (several coins): those
-- are money records, never deleted to make a rollback fit.
DROP INDEX "balance_transactions_payment_id_type_chain_token_symbol_key";
CREATE UNIQUE INDEX "balance_transactions_payment_id_type_key" ON "balance_transactions"("payment_id", "type");
DROP INDEX "sweeps_payment_id_chain_token_address_key";
CREATE UNIQUE INDEX "sweeps_payment_id_key" ON "sweeps"("payment_id");
