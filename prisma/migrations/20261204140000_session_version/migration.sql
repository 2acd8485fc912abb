-- Sessions end on sign-out and password change: each session JWT carries the user's version at
-- sign-in, and a session whose version differs from this column is refused.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "session_version" INTEGER NOT NULL DEFAULT 0;
