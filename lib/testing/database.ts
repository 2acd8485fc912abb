// Each test file gets its own database, cloned from the migrated template the global setup made,
// on the run's real PostgreSQL (embedded, or the server behind DATABASE_URL).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { databaseUrlFor, withAdmin } from "../db/admin";
import { createDb, type Db } from "../db/client";
import { API_KEY_CHANNELS, CHECKOUT_CHANNELS, invalidationListenerOf } from "../db/invalidation";

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

/**
 * Runs `sql` with the triggers off (session_replication_role = replica), so no NOTIFY reaches any
 * in-process cache: a "silent" change shows whether an answer came from a cache.
 */
export async function querySilently(databaseUrl: string, sql: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET session_replication_role = replica");
    await client.query(sql, values);
  } finally {
    await client.end();
  }
}

/** Waits until `condition` holds (checked every 10 ms, at most `timeoutMs`); returns the wait in ms. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

/** `count` app instances on one database: clients of their own, each with its caches and listeners. */
export function createAppInstances(databaseUrl: string, count = 2): Db[] {
  return Array.from({ length: count }, () => createDb(databaseUrl, { maxConnections: 3 }));
}

/** Closes what createAppInstances opened: every instance's LISTEN connections, then its pool. */
export async function closeAppInstances(instances: Db[] | undefined): Promise<void> {
  for (const instance of instances ?? []) {
    for (const channels of [API_KEY_CHANNELS, CHECKOUT_CHANNELS])
      await invalidationListenerOf(instance, channels)?.close();
    await instance.$disconnect();
  }
}
