-- ctrip:drops-money-data
-- Undoes 20261122210000_init: every table and enum of the first schema, and all data with them.
-- The "public" schema stays (it exists in every new database).
DROP TABLE "webhook_attempts", "webhook_deliveries", "webhook_endpoints", "events", "payouts",
  "balance_transactions", "balances", "sweeps", "settlement_settings", "chain_account_nonces",
  "chain_blocks", "chain_cursors", "transfers", "payment_status_changes", "payments",
  "idempotency_keys", "api_keys", "users", "merchants";

DROP TYPE "webhook_delivery_status", "payout_status", "balance_transaction_type", "sweep_status",
  "settlement_mode", "transfer_status", "payment_exception", "payment_status", "user_role";
