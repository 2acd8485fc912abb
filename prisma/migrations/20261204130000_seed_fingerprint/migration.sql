-- One seed for all processes: the fingerprint of the wallet seed (sha256 of its account-0 xpub),
-- stored at first boot; every process refuses to run with a seed of another fingerprint.

-- CreateTable
CREATE TABLE "installation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "seed_fingerprint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "installation_single_row" CHECK ("id" = 1),
    CONSTRAINT "installation_seed_fingerprint_format" CHECK ("seed_fingerprint" ~ '^[0-9a-f]{64}$')
);
