import { type Migration, readMigrations } from "./migrate";
import { readMigrationHistory, withMigrationLock } from "./migration-history";

export type MigrationState =
  /** Applied, and migration.sql is still what was applied. */
  | "applied"
  /** On disk, not applied yet (`db:migrate` applies it). */
  | "pending"
  /** Applied, but migration.sql was edited afterwards (sha256 differs from the recorded checksum). */
  | "checksum drift"
  /** Started and never finished (a failed `prisma migrate deploy`); needs a manual resolve. */
  | "failed"
  /** Recorded in the database but no folder of that name here (code older than the database?). */
  | "not on disk";

export type MigrationStatusEntry = {
  name: string;
  state: MigrationState;
  appliedAt: Date | null;
  /** A `down.sql` exists next to migration.sql. */
  hasDown: boolean;
};

/** Every migration on disk or in `_prisma_migrations`, in name order, with its state. */
export async function migrationStatus(
  databaseUrl: string,
  migrations: Migration[] = readMigrations(),
): Promise<MigrationStatusEntry[]> {
  const history = await withMigrationLock(databaseUrl, readMigrationHistory);
  const recorded = new Map(history.map((row) => [row.migration_name, row]));
  const onDisk = new Map(migrations.map((migration) => [migration.name, migration]));
  const names = [...new Set([...onDisk.keys(), ...recorded.keys()])].sort();
  return names.map((name) => {
    const migration = onDisk.get(name);
    const row = recorded.get(name);
    const state: MigrationState = !row
      ? "pending"
      : row.finished_at === null
        ? "failed"
        : !migration
          ? "not on disk"
          : row.checksum !== migration.checksum
            ? "checksum drift"
            : "applied";
    return { name, state, appliedAt: row?.finished_at ?? null, hasDown: migration?.downSql !== undefined };
  });
}
