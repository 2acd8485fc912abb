// Each test file gets its own database, cloned from the migrated template the global setup made,
// on the run's real PostgreSQL (embedded, or the server behind DATABASE_URL).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { databaseUrlFor, withAdmin } from "../db/admin";
import { createDb, type Db } from "../db/client";

export type TestDatabase = {
  databaseUrl: string;
  db: Db;
  drop(): Promise<void>;
};

/** A fresh, migrated database. `empty: true` gives an unmigrated one (for migration tests). */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `ctrip_test_${randomBytes(6).toString("hex")}`;
  const template = options.empty ? "template0" : inject("postgresTemplateDatabase");
  await withAdmin(adminUrl, async (client) => {
    // Two files cloning the template at the same instant can collide on its brief lock: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(
          `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`,
        );
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  const databaseUrl = databaseUrlFor(adminUrl, name);
  const db = createDb(databaseUrl, { maxConnections: 5 });
  return {
    databaseUrl,
    db,
    async drop() {
      await db.$disconnect();
      await withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}

/** Runs `sql` on a short-lived connection to `databaseUrl` and returns its rows. */
export async function queryDatabase<T extends pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
