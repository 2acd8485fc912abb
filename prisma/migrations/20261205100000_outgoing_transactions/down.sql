-- ctrip:drops-money-data
-- Undoes 20261205100000_outgoing_transactions.
DROP TABLE IF EXISTS "outgoing_transactions";
DROP TYPE IF EXISTS "outgoing_transaction_status";
DROP TYPE IF EXISTS "outgoing_transaction_purpose";
