-- Undoes 20261208120000_merchant_accepted_coins: merchants accept every configured coin again and
-- the dashboard's display currency is forgotten (no money data).
ALTER TABLE "merchants"
  DROP COLUMN "display_currency",
  DROP COLUMN "accepted_coins";
