-- Undoes 20261204140000_session_version (sessions are no longer ended by a version change).
ALTER TABLE "users" DROP COLUMN "session_version";
