import { db } from "../db/client";

/**
 * Closes the process-wide `DATABASE_URL` client (kept on globalThis, so it is the one route handlers
 * used), for route tests under app/ that may not import lib/db themselves.
 */
export async function disconnectProcessDb(): Promise<void> {
  await db().$disconnect();
}
