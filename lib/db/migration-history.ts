// The `_prisma_migrations` table as `prisma migrate deploy` keeps it, and the advisory lock it takes,
// shared by our applier, `db:status` and `db:rollback` so they and Prisma exclude each other.
import pg from "pg";

/** The advisory lock `prisma migrate deploy` takes, so our applier and Prisma's exclude each other. */
const PRISMA_MIGRATE_LOCK = 72707369;

/** A refusal or failure of a migration command: its message is one line an operator can act on. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

export type MigrationRow = {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  started_at: Date;
};

/** Runs `run` on one connection holding Prisma's migration lock, the table created if missing. */
export async function withMigrationLock<T>(
  databaseUrl: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    return await run(client);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** The migrations recorded as applied (or failed), oldest first; rows Prisma marked rolled back are ignored. */
export async function readMigrationHistory(client: pg.ClientBase): Promise<MigrationRow[]> {
  const { rows } = await client.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at, started_at FROM "_prisma_migrations"
     WHERE rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows;
}

/** The names of the migrations finished in this database, in order (empty when there is no table). */
export async function appliedMigrationNames(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
  );
  if (!rows[0]?.exists) return [];
  const history = await readMigrationHistory(client);
  return history.filter((row) => row.finished_at !== null).map((row) => row.migration_name);
}
