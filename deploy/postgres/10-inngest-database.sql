-- Run once by the postgres image when its volume is initialised (docker-entrypoint-initdb.d):
-- the self-hosted Inngest server keeps its own tables in its own database on the same server, so
-- they never mix with the gateway's (and `npm run admin -- backup` covers only the gateway's).
CREATE DATABASE inngest;
