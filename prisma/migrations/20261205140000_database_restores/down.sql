-- Undoes 20261205140000_database_restores: the record of past restores. New merchants then take
-- accounts above the highest existing one only: roll back only a database never restored.
DROP TABLE "database_restores";
