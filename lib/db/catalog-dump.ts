// A full description of what lives in the `public` schema, read from PostgreSQL's catalog, for
// comparing two databases exactly (migration round trips) and for telling an empty database from
// a used one. Unlike drift.ts (which compares with what Prisma can express) it includes CHECK
// constraints, defaults, functions and triggers. Column order is not compared: a down script that
// re-adds a dropped column puts it last, which changes nothing for the application.
import type pg from "pg";

export type CatalogDump = {
  relations: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  enums: string[];
  functions: string[];
  triggers: string[];
};

/** Prisma's (and our) migration history: not part of the schema a migration makes. */
const HISTORY_TABLE = "_prisma_migrations";

const QUERIES: Record<keyof CatalogDump, string> = {
  relations: `SELECT c.relkind::text || ' ' || c.relname AS item FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relname <> $1`,
  columns: `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
      || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
      || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
      || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
      || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END AS item
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname <> $1
      AND a.attnum > 0 AND NOT a.attisdropped`,
  constraints: `SELECT c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS item
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relname <> $1`,
  indexes: `SELECT pg_get_indexdef(i.indexrelid) AS item FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relname <> $1`,
  enums: `SELECT t.typname || ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')' AS item
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND $1 <> '' GROUP BY t.typname`,
  functions: `SELECT pg_get_functiondef(p.oid) AS item FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND $1 <> ''`,
  triggers: `SELECT pg_get_triggerdef(t.oid) AS item FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND NOT t.tgisinternal AND c.relname <> $1`,
};

export async function dumpCatalog(client: pg.ClientBase): Promise<CatalogDump> {
  const dump = {} as CatalogDump;
  for (const [part, sql] of Object.entries(QUERIES) as [keyof CatalogDump, string][]) {
    const { rows } = await client.query<{ item: string }>(sql, [HISTORY_TABLE]);
    dump[part] = rows.map((row) => row.item).sort();
  }
  return dump;
}
