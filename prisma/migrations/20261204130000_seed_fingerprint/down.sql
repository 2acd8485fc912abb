-- Undoes 20261204130000_seed_fingerprint: the stored seed fingerprint (it is stored again at the
-- next start of code that knows it).
DROP TABLE "installation";
