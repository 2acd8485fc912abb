import { type Migration, readMigrations } from "./migrate";
import { MigrationError, readMigrationHistory, withMigrationLock } from "./migration-history";

/**
 * The header a `down.sql` carries when undoing its migration destroys money data (tables or columns
 * holding payments, transfers, balances, ledger entries, payouts, sweeps, amounts…). Rollback
 * refuses such a script unless forced; `down-scripts.test.ts` checks every script that drops such a
 * table or column carries it.
 */
export const DROPS_MONEY_DATA_MARKER = "-- ctrip:drops-money-data";

export function dropsMoneyData(downSql: string): boolean {
  return downSql.split("\n").some((line) => line.trim().startsWith(DROPS_MONEY_DATA_MARKER));
}

export type RollbackOptions = {
  /**
   * The migration to return to: every applied migration after it is undone, it stays applied.
   * null undoes every migration (an empty database but for `_prisma_migrations`).
   */
  to: string | null;
  /** Run down scripts marked as dropping money data too. */
  force?: boolean;
};

/**
 * Undoes the migrations applied after `options.to`, newest first, each with its reviewed `down.sql`
 * in its own transaction together with the removal of its `_prisma_migrations` row (so a later
 * `db:migrate` or `prisma migrate deploy` applies it again). Everything is checked before the first
 * script runs: unknown target, drift, a missing down.sql and unforced money-data drops refuse the
 * whole rollback.
 */
export async function rollbackDatabase(
  databaseUrl: string,
  options: RollbackOptions,
  migrations: Migration[] = readMigrations(),
): Promise<{ rolledBack: string[] }> {
  const onDisk = new Map(migrations.map((migration) => [migration.name, migration]));
  const target = options.to;
  if (target !== null && !onDisk.has(target))
    throw new MigrationError(`unknown migration ${options.to} (npm run db:status lists them)`);
  return withMigrationLock(databaseUrl, async (client) => {
    const history = await readMigrationHistory(client);
    const failed = history.find((row) => row.finished_at === null);
    if (failed)
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and was never resolved; fix the database before rolling back`,
      );
    if (target !== null && !history.some((row) => row.migration_name === target))
      throw new MigrationError(`migration ${target} is not applied; nothing to roll back to`);

    const toUndo = history
      .filter((row) => target === null || row.migration_name > target)
      .reverse()
      .map((row) => {
        const migration = onDisk.get(row.migration_name);
        if (!migration)
          throw new MigrationError(
            `migration ${row.migration_name} is applied but has no folder in prisma/migrations; roll back with the code that applied it`,
          );
        if (migration.checksum !== row.checksum)
          throw new MigrationError(
            `migration ${row.migration_name} has checksum drift (migration.sql changed after it was applied); its down.sql cannot be trusted`,
          );
        if (migration.downSql === undefined)
          throw new MigrationError(
            `migration ${row.migration_name} has no down.sql; it cannot be rolled back`,
          );
        return { name: migration.name, downSql: migration.downSql };
      });

    const destructive = toUndo.filter((migration) => dropsMoneyData(migration.downSql));
    if (destructive.length > 0 && !options.force)
      throw new MigrationError(
        `rolling back ${destructive.map((migration) => migration.name).join(", ")} drops money data; ` +
          "back up first (npm run admin -- backup --out FILE), then repeat with --force",
      );

    const rolledBack: string[] = [];
    for (const migration of toUndo) {
      await client.query("BEGIN");
      try {
        await client.query(migration.downSql);
        await client.query(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1`, [migration.name]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(
          `down.sql of ${migration.name} failed (nothing of it applied; ${rolledBack.length} rolled back before it): ${(error as Error).message}`,
          { cause: error },
        );
      }
      rolledBack.push(migration.name);
    }
    return { rolledBack };
  });
}
