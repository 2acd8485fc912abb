-- ctrip:drops-money-data (hot-wallet gas top-ups with their amounts and fees; payouts' reviewer)
-- Undoes 20261124030000_payout_approval. API keys lose their explicit permissions.
ALTER TABLE "balance_transactions" DROP CONSTRAINT "balance_transactions_payout_id_fkey";

DROP TABLE "hot_wallet_gas_top_ups";
DROP TYPE "gas_top_up_status";

ALTER TABLE "payouts" DROP COLUMN "gas_sponsored",
DROP COLUMN "reviewed_by";

ALTER TABLE "api_keys" DROP COLUMN "permissions";
