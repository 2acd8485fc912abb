// A statement written once as a tagged template and run either on the raw pool (the hot path,
// without Prisma's runtime: lib/db/raw-pool.ts) or through Prisma on any other client (a
// transaction client), with the same positional parameters.
import type { Db } from "./client";
import { rawPool } from "./raw-pool";

export type RawQuery = { text: string; values: unknown[] };

export function sql(strings: TemplateStringsArray, ...values: unknown[]): RawQuery {
  return { text: strings.reduce((text, part, i) => `${text}$${i}${part}`), values };
}

/** Runs `query` and returns its rows. */
export async function queryRaw<T>(db: Db, query: RawQuery): Promise<T[]> {
  const pool = await rawPool(db);
  if (pool) return (await pool.query(query.text, query.values)).rows as T[];
  return db.$queryRawUnsafe<T[]>(query.text, ...query.values);
}
