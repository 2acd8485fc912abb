import type { Pool } from "pg";
import type { Db } from "../db/client";
import { rawPool } from "../db/raw-pool";

/** Runs `work` and counts the statements containing `fragment` that `db`'s raw pool sent meanwhile. */
export async function countStatements<T>(
  db: Db,
  fragment: string,
  work: () => Promise<T>,
): Promise<{ result: T; statements: number }> {
  const pool = await rawPool(db);
  if (!pool) throw new Error("the client has no raw pool");
  const query = pool.query;
  let statements = 0;
  pool.query = ((...args: unknown[]) => {
    const [config] = args;
    const text = typeof config === "string" ? config : (config as { text?: string }).text;
    if (text?.includes(fragment)) statements++;
    return (query as (...a: unknown[]) => unknown).apply(pool, args);
  }) as Pool["query"];
  try {
    return { result: await work(), statements };
  } finally {
    pool.query = query;
  }
}
