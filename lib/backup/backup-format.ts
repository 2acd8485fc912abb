// The backup file (`npm run admin -- backup`): gzip'ed JSON lines, readable without PostgreSQL's
// client tools (a `pg_dump` must match the server's major version; ours only needs the wire).
//   line 1            the header (ZBackupHeader)
//   per table         {"table": name, "columns": [...]}, one JSON array per row (each value in
//                     PostgreSQL's text form, or null), then {"end": name, "rows": n}
//   last line         {"complete": true, "tables": {name: rows}} — a backup without it is truncated.
// Tables come in foreign-key order (referenced before referencing), so a restore inserts as it reads.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { finished } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type pg from "pg";
import { z } from "zod";

export const BACKUP_FORMAT = "ctrip-pay-backup";
export const BACKUP_VERSION = 1;
/** Prisma's (and our) migration history: the target database brings its own. */
export const HISTORY_TABLE = "_prisma_migrations";

export const ZBackupHeader = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  taken_at: z.iso.datetime({ offset: true }),
  /** The migrations applied in the backed-up database, in order: a restore needs exactly these. */
  migrations: z.array(z.string()),
  /** The wallet seed's fingerprint (table `installation`); null before the first boot. */
  seed_fingerprint: z.string().nullable(),
  /** Where each chain's scanner stood: a restored gateway rescans from there. */
  chain_cursors: z.array(
    z.object({
      chain: z.string(),
      last_scanned_block: z.string().nullable(),
      head_block: z.string().nullable(),
    }),
  ),
  tables: z.array(z.string()),
});
export type TBackupHeader = z.infer<typeof ZBackupHeader>;

export const ZTableStart = z.object({ table: z.string(), columns: z.array(z.string()).min(1) });
export const ZTableEnd = z.object({ end: z.string(), rows: z.number().int().min(0) });
export const ZTrailer = z.object({ complete: z.literal(true), tables: z.record(z.string(), z.number()) });
export const ZRow = z.array(z.string().nullable());

/** A refusal of backup or restore: one line an operator can act on. */
export class BackupError extends Error {
  override name = "BackupError";
}

/** The `public` tables but the migration history, referenced tables before those referencing them. */
export async function tablesInForeignKeyOrder(client: pg.ClientBase): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> $1 ORDER BY 1`,
    [HISTORY_TABLE],
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> p.oid`,
  );
  const pending = new Map(tables.map((table) => [table.name, new Set<string>()]));
  for (const reference of references) pending.get(reference.child)?.add(reference.parent);
  const ordered: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, parents]) => parents.size === 0).map(([name]) => name);
    if (ready.length === 0)
      throw new BackupError(`foreign keys form a cycle among ${[...pending.keys()].join(", ")}`);
    for (const name of ready) {
      ordered.push(name);
      pending.delete(name);
      for (const parents of pending.values()) parents.delete(name);
    }
  }
  return ordered;
}

/** Writes JSON lines through gzip, honouring back-pressure. */
export function openBackupWriter(file: string) {
  const gzip = createGzip();
  const output = createWriteStream(file, { mode: 0o600 });
  gzip.pipe(output);
  return {
    async write(value: unknown): Promise<void> {
      if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, "drain");
    },
    async close(): Promise<void> {
      gzip.end();
      await finished(output);
    },
    destroy(): void {
      gzip.destroy();
      output.destroy();
    },
  };
}

/** The backup's lines, parsed as JSON (a line that is not JSON is reported with its number). */
export async function* readBackupLines(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line === "") continue;
      try {
        yield JSON.parse(line);
      } catch {
        throw new BackupError(`${file} line ${number} is not JSON: not a cTrip Pay backup, or damaged`);
      }
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}
