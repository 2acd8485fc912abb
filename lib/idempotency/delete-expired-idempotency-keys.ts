import type { Db } from "../db/client";

/** Deletes Idempotency-Key records past their 24 h lifetime; returns how many went. */
export async function deleteExpiredIdempotencyKeys(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
