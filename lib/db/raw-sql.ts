// A statement written once as a tagged template and run either on the raw pool (the hot path,
// without Prisma's runtime: lib/db/raw-pool.ts) or through Prisma on any other client (a
// transaction client), with the same positional parameters.
import { createHash } from "node:crypto";
import type { QueryConfig } from "pg";
import type { Db } from "./client";
import { rawPool } from "./raw-pool";

export type RawQuery = { text: string; values: unknown[] };

const statementNames = new Map<string, string>();

/**
 * `text` as a named prepared statement of the hot paths' raw queries: each pooled connection parses
 * and plans it once, later calls send only Bind/Execute (PostgreSQL then does no parse and, after
 * five runs, reuses a generic plan when it costs no more). The name is a hash of the text, so one
 * text is one statement on every connection; the texts are the code's own (a list's filters make a
 * few variants), never built from values.
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ctrip_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): RawQuery {
  return { text: strings.reduce((text, part, i) => `${text}$${i}${part}`), values };
}

/** Runs `query` and returns its rows. */
export async function queryRaw<T>(db: Db, query: RawQuery): Promise<T[]> {
  const pool = await rawPool(db);
  if (pool) return (await pool.query(prepared(query.text, query.values))).rows as T[];
  return db.$queryRawUnsafe<T[]>(query.text, ...query.values);
}

/** NUMERIC(78,0) read as its exact text, shaped like Prisma's Decimal where the code calls toFixed(). */
export const exactDecimal = (text: string) => ({ toFixed: () => text });
/** A timestamp that arrived as text inside a json value (ISO 8601 with the session's offset). */
export const timestampOrNull = (text: string | null) => (text === null ? null : new Date(text));
