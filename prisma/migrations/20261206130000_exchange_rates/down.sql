-- Undoes 20261206130000_exchange_rates: the stored rate history (fetched again from the sources;
-- late transfers older than the next fetch can then no longer be valued at their block's rate).
DROP TABLE "exchange_rates";
