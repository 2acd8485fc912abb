import { randomUUID } from "node:crypto";
import pg from "pg";
import { appliedMigrationNames } from "../db/migration-history";
import { seedFingerprint } from "../wallet/seed-fingerprint";
import {
  BackupError,
  readBackupLines,
  type TBackupHeader,
  tablesInForeignKeyOrder,
  ZBackupHeader,
  ZRow,
  ZTableEnd,
  ZTableStart,
  ZTrailer,
} from "./backup-format";

export type RestoreOptions = {
  /** The seed of this gateway: it must be the backed-up gateway's (deposit addresses come from it). */
  mnemonic: string;
  /**
   * Added to every merchant's next deposit index: deposit addresses handed out between the backup
   * and the loss of the database are never handed out again. Must exceed the payments any merchant
   * created in that window. Default 100000 (an index is one of 2^31).
   */
  depositIndexGap?: number;
  /** New merchants take BIP-44 accounts this far above the highest restored one. Default 1000. */
  merchantAccountGap?: number;
};

export type RestoreSummary = {
  restore_id: string;
  backup_taken_at: string;
  migration: string | null;
  tables: Record<string, number>;
  deposit_index_gap: number;
  hd_account_floor: number;
  chain_cursors: TBackupHeader["chain_cursors"];
};

export const DEFAULT_DEPOSIT_INDEX_GAP = 100_000;
export const DEFAULT_MERCHANT_ACCOUNT_GAP = 1_000;
/** Parameters per INSERT stay under PostgreSQL's 65535. */
const MAX_PARAMETERS = 30_000;

/**
 * Restores a backup (create-backup.ts) into an empty database migrated to exactly the backup's
 * migrations, in one transaction: a refusal or a damaged file leaves the database as it was. Then,
 * in the same transaction, what may have been handed out after the backup is fenced off — every
 * merchant's deposit index advanced by `depositIndexGap`, new merchants placed above
 * `hd_account_floor` — and the restore is recorded in `database_restores`. The chain cursors are
 * the backup's, so the scanner rescans from there: payments paid after the backup are detected again,
 * and transfers already recorded are not credited twice (unique chain, tx hash, log index).
 */
export async function restoreBackup(
  databaseUrl: string,
  file: string,
  options: RestoreOptions,
): Promise<RestoreSummary> {
  const depositIndexGap = options.depositIndexGap ?? DEFAULT_DEPOSIT_INDEX_GAP;
  const merchantAccountGap = options.merchantAccountGap ?? DEFAULT_MERCHANT_ACCOUNT_GAP;
  const lines = readBackupLines(file);
  const first = await lines.next();
  const header = ZBackupHeader.safeParse(first.done ? undefined : first.value);
  if (!header.success) throw new BackupError(`${file} is not a cTrip Pay backup (or its header is damaged)`);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await assertRestorable(client, header.data, options.mnemonic);
    const tables = await tablesInForeignKeyOrder(client);
    const counts = await insertTables(client, lines, new Set(tables));

    const { rows } = await client.query<{ floor: number }>(
      `SELECT GREATEST(
         (SELECT coalesce(max(hd_account), 0) FROM merchants),
         (SELECT coalesce(max(hd_account_floor), 0) FROM database_restores)) + $1::int AS floor`,
      [merchantAccountGap],
    );
    const hdAccountFloor = rows[0]?.floor ?? merchantAccountGap;
    await client.query(
      `UPDATE merchants SET next_deposit_index = next_deposit_index + $1::int, updated_at = now()`,
      [depositIndexGap],
    );
    const restoreId = `rst_${randomUUID().replaceAll("-", "")}`;
    const cursors = header.data.chain_cursors;
    await client.query(
      `INSERT INTO database_restores (id, backup_taken_at, backup_migration, deposit_index_gap, hd_account_floor, chain_cursors)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [
        restoreId,
        header.data.taken_at,
        header.data.migrations.at(-1) ?? "",
        depositIndexGap,
        hdAccountFloor,
        JSON.stringify(cursors.map(({ chain, last_scanned_block }) => ({ chain, last_scanned_block }))),
      ],
    );
    await client.query("COMMIT");
    return {
      restore_id: restoreId,
      backup_taken_at: header.data.taken_at,
      migration: header.data.migrations.at(-1) ?? null,
      tables: counts,
      deposit_index_gap: depositIndexGap,
      hd_account_floor: hdAccountFloor,
      chain_cursors: cursors,
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
    await lines.return(undefined);
  }
}

async function assertRestorable(client: pg.Client, header: TBackupHeader, mnemonic: string): Promise<void> {
  const applied = await appliedMigrationNames(client);
  const level = (names: string[]) => `${names.at(-1) ?? "no migration"} (${names.length} applied)`;
  if (applied.join("\n") !== header.migrations.join("\n"))
    throw new BackupError(
      `the backup was taken at migration ${level(header.migrations)}, this database is at ${level(applied)}: ` +
        "restore into a database migrated to the backup's level (npm run db:migrate / db:rollback with the matching release)",
    );
  const used: string[] = [];
  for (const table of await tablesInForeignKeyOrder(client)) {
    const { rows } = await client.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${pg.escapeIdentifier(table)}) AS used`,
    );
    if (rows[0]?.used) used.push(table);
  }
  if (used.length > 0)
    throw new BackupError(
      `the database is not empty (${used.join(", ")} hold rows): ` +
        "restore only into a new database that `npm run db:migrate` has just migrated",
    );
  if (header.seed_fingerprint && header.seed_fingerprint !== seedFingerprint(mnemonic))
    throw new BackupError(
      `the backup belongs to a gateway with seed fingerprint ${header.seed_fingerprint.slice(0, 16)}…, ` +
        `WALLET_MNEMONIC here has ${seedFingerprint(mnemonic).slice(0, 16)}…: restore with the backed-up gateway's seed`,
    );
}

/** Inserts every table as the file lists it, user triggers off (no webhook fan-out replayed). */
async function insertTables(
  client: pg.Client,
  lines: AsyncGenerator<unknown>,
  known: Set<string>,
): Promise<Record<string, number>> {
  const { rows: triggered } = await client.query<{ name: string }>(
    `SELECT DISTINCT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal`,
  );
  for (const { name } of triggered)
    await client.query(`ALTER TABLE ${pg.escapeIdentifier(name)} DISABLE TRIGGER USER`);

  const counts: Record<string, number> = {};
  let current: { table: string; columns: string[]; batch: (string | null)[][] } | null = null;
  const flush = async () => {
    if (!current || current.batch.length === 0) return;
    const width = current.columns.length;
    const values = current.batch
      .map((_, row) => `(${current?.columns.map((__, column) => `$${row * width + column + 1}`).join(", ")})`)
      .join(", ");
    await client.query(
      `INSERT INTO ${pg.escapeIdentifier(current.table)} (${current.columns.map((c) => pg.escapeIdentifier(c)).join(", ")}) VALUES ${values}`,
      current.batch.flat(),
    );
    current.batch = [];
  };

  for await (const line of lines) {
    if (Array.isArray(line)) {
      const row = ZRow.safeParse(line);
      if (!current || !row.success || row.data.length !== current.columns.length)
        throw new BackupError("the backup is damaged: a row outside a table or of the wrong width");
      current.batch.push(row.data);
      if (current.batch.length * current.columns.length >= MAX_PARAMETERS) await flush();
      continue;
    }
    const start = ZTableStart.safeParse(line);
    if (start.success) {
      if (!known.has(start.data.table))
        throw new BackupError(`the backup has a table ${start.data.table} this database does not have`);
      current = { table: start.data.table, columns: start.data.columns, batch: [] };
      counts[current.table] = 0;
      continue;
    }
    const end = ZTableEnd.safeParse(line);
    if (end.success && current?.table === end.data.end) {
      await flush();
      counts[current.table] = end.data.rows;
      current = null;
      continue;
    }
    const trailer = ZTrailer.safeParse(line);
    if (trailer.success) {
      for (const { name } of triggered)
        await client.query(`ALTER TABLE ${pg.escapeIdentifier(name)} ENABLE TRIGGER USER`);
      const inserted = await countRows(client, Object.keys(trailer.data.tables));
      for (const [table, rows] of Object.entries(trailer.data.tables))
        if (inserted[table] !== rows)
          throw new BackupError(
            `the backup is damaged: ${table} should have ${rows} rows, ${inserted[table]} restored`,
          );
      return counts;
    }
    throw new BackupError("the backup is damaged: an unexpected line");
  }
  throw new BackupError("the backup is truncated (no end marker): nothing was restored");
}

async function countRows(client: pg.Client, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${pg.escapeIdentifier(table)}`,
    );
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}
