import type { Db } from "../db/client";

/**
 * Ends every session of a user: session JWTs carry the user's `session_version` from sign-in, and
 * requireMerchantSession refuses one whose version is no longer current. `ifCurrent` bumps only while
 * the version is still that one (signing out a session that already ended changes nothing).
 */
export async function endUserSessions(db: Db, userId: string, ifCurrent?: number): Promise<void> {
  await db.user.updateMany({
    where: { id: userId, ...(ifCurrent === undefined ? {} : { sessionVersion: ifCurrent }) },
    data: { sessionVersion: { increment: 1 } },
  });
}

export async function sessionVersionOf(db: Db, userId: string): Promise<number | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user?.sessionVersion ?? null;
}
