import { renameSync, rmSync } from "node:fs";
import pg from "pg";
import { appliedMigrationNames } from "../db/migration-history";
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BackupError,
  openBackupWriter,
  type TBackupHeader,
  tablesInForeignKeyOrder,
} from "./backup-format";

export type BackupSummary = {
  file: string;
  taken_at: string;
  migration: string | null;
  tables: Record<string, number>;
};

const FETCH_ROWS = 2_000;

/**
 * Writes a consistent snapshot of the whole database to `file` (see backup-format.ts) while the
 * gateway keeps running: every table is read in one REPEATABLE READ, READ ONLY transaction, so the
 * backup is the database as it was at one instant (writers are not blocked). The file appears only
 * once complete (written as `<file>.partial`, then renamed).
 */
export async function createBackup(databaseUrl: string, file: string): Promise<BackupSummary> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const partial = `${file}.partial`;
  const writer = openBackupWriter(partial);
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = await appliedMigrationNames(client);
    if (migrations.length === 0)
      throw new BackupError("the database has no migrations applied: nothing to back up");
    const tables = await tablesInForeignKeyOrder(client);
    const takenAt = (await client.query<{ now: Date }>("SELECT now()")).rows[0]?.now ?? new Date();
    const header: TBackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      taken_at: takenAt.toISOString(),
      migrations,
      seed_fingerprint: tables.includes("installation")
        ? ((await client.query<{ seed_fingerprint: string }>(`SELECT seed_fingerprint FROM installation`))
            .rows[0]?.seed_fingerprint ?? null)
        : null,
      chain_cursors: (
        await client.query<{ chain: string; last_scanned_block: string | null; head_block: string | null }>(
          `SELECT chain, last_scanned_block::text, head_block::text FROM chain_cursors ORDER BY chain`,
        )
      ).rows,
      tables,
    };
    await writer.write(header);

    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = await writeTable(client, writer, table);
    await writer.write({ complete: true, tables: counts });
    await client.query("COMMIT");
    await writer.close();
    renameSync(partial, file);
    return { file, taken_at: header.taken_at, migration: migrations.at(-1) ?? null, tables: counts };
  } catch (error) {
    writer.destroy();
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await client.end();
  }
}

async function writeTable(
  client: pg.Client,
  writer: ReturnType<typeof openBackupWriter>,
  table: string,
): Promise<number> {
  const { rows: columns } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     ORDER BY a.attnum`,
    [pg.escapeIdentifier(table)],
  );
  const names = columns.map((column) => column.name);
  await writer.write({ table, columns: names });
  // Every value in PostgreSQL's own text form: exact for NUMERIC(78,0), bigint, arrays and JSON.
  const values = names.map((name) => `${pg.escapeIdentifier(name)}::text`).join(", ");
  await client.query(
    `DECLARE backup_rows NO SCROLL CURSOR FOR SELECT ARRAY[${values}] AS r FROM ${pg.escapeIdentifier(table)}`,
  );
  let count = 0;
  for (;;) {
    const { rows } = await client.query<{ r: (string | null)[] }>(`FETCH ${FETCH_ROWS} FROM backup_rows`);
    for (const row of rows) await writer.write(row.r);
    count += rows.length;
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query("CLOSE backup_rows");
  await writer.write({ end: table, rows: count });
  return count;
}
