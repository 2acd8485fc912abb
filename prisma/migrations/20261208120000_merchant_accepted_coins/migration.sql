-- Merchant settings for fiat-priced payments (issue 21): the coins a payment accepts by default
-- (NULL = every chain/token of chains.yaml, so existing merchants keep today's behaviour) and the
-- currency the dashboard shows fiat values in.
ALTER TABLE "merchants"
  ADD COLUMN "accepted_coins" JSONB,
  ADD COLUMN "display_currency" TEXT NOT NULL DEFAULT 'USD';
