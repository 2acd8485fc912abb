-- Exchange-rate history (lib/rates): every rate fetched from the price sources, so a transfer that
-- arrives after its quote window is valued at the rate of its block's time. The rate is an exact
-- decimal string (currency units per whole asset); never a float.

-- CreateTable
CREATE TABLE "exchange_rates" (
    "asset" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "rate" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "answers" JSONB NOT NULL DEFAULT '[]',
    "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exchange_rates_pkey" PRIMARY KEY ("asset","currency","as_of")
);
