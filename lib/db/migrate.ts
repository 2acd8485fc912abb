import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { MigrationError, readMigrationHistory, withMigrationLock } from "./migration-history";

export type Migration = {
  name: string;
  sql: string;
  checksum: string;
  /** The reviewed `down.sql` next to `migration.sql` (undefined when the folder has none). */
  downSql?: string;
};
export type MigrateResult = { applied: string[]; alreadyApplied: string[] };

export const DEFAULT_MIGRATIONS_DIR = join(import.meta.dirname, "..", "..", "prisma", "migrations");

export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

/** Reads Prisma's standard layout: `<dir>/<timestamp>_<name>/migration.sql` (+ `down.sql`), in name order. */
export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      const downFile = join(dir, name, "down.sql");
      const migration: Migration = { name, sql, checksum: migrationChecksum(sql) };
      if (existsSync(downFile)) migration.downSql = readFileSync(downFile, "utf8");
      return migration;
    });
}

/**
 * Applies pending migrations and records them in `_prisma_migrations` exactly as
 * `prisma migrate deploy` does (same table, sha256 checksum, same lock), so either tool can take
 * over a database the other migrated. Unlike Prisma, each migration runs in a transaction: a failed
 * one leaves nothing half-applied.
 */
export async function migrateDatabase(
  databaseUrl: string,
  migrations: Migration[] = readMigrations(),
): Promise<MigrateResult> {
  return withMigrationLock(databaseUrl, async (client) => {
    const rows = await readMigrationHistory(client);
    const failed = rows.find((row) => row.finished_at === null);
    if (failed)
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and was never resolved; fix the database, then mark it rolled back (prisma migrate resolve --rolled-back ${failed.migration_name})`,
      );
    const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));

    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const recorded = done.get(migration.name);
      if (recorded !== undefined) {
        if (recorded !== migration.checksum)
          throw new MigrationError(
            `migration ${migration.name} was modified after it was applied (checksum mismatch); add a new migration instead of editing an applied one`,
          );
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await applyOne(client, migration);
      result.applied.push(migration.name);
    }
    return result;
  });
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [id, migration.checksum, migration.name],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
