import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, queryDatabase, type TestDatabase } from "../testing/database";
import { type Migration, migrateDatabase, readMigrations } from "./migrate";

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

async function emptyDatabase() {
  const database = await createTestDatabase({ empty: true });
  databases.push(database);
  return database.databaseUrl;
}

function migration(name: string, sql: string): Migration {
  return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

const query = queryDatabase;

describe("migrateDatabase", () => {
  it("records each migration in _prisma_migrations as prisma migrate deploy does, once", async () => {
    const url = await emptyDatabase();
    const migrations = readMigrations();
    expect(migrations.length).toBeGreaterThan(0);

    const first = await migrateDatabase(url, migrations);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    const second = await migrateDatabase(url, migrations);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.name) });

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count])).toEqual(
      migrations.map((m) => [m.name, m.checksum, 1]),
    );
    expect(rows.every((row) => row.finished_at instanceof Date)).toBe(true);
  });

  it("rolls back a failing migration entirely and records nothing", async () => {
    const url = await emptyDatabase();
    const bad = migration(
      "20000101000000_bad",
      `CREATE TABLE "half" ("id" INT); SELECT * FROM "no_such_table";`,
    );
    await expect(migrateDatabase(url, [bad])).rejects.toThrow(/20000101000000_bad failed: .*no_such_table/);
    expect(await query(url, `SELECT to_regclass('half') AS t`)).toEqual([{ t: null }]);
    expect(await query(url, `SELECT * FROM "_prisma_migrations"`)).toEqual([]);
  });

  it("refuses a migration edited after it was applied", async () => {
    const url = await emptyDatabase();
    await migrateDatabase(url, [migration("20000101000000_a", `CREATE TABLE "a" ("id" INT);`)]);
    await expect(
      migrateDatabase(url, [migration("20000101000000_a", `CREATE TABLE "a" ("id" BIGINT);`)]),
    ).rejects.toThrow(/modified after it was applied/);
  });

  it("serialises concurrent appliers on Prisma's advisory lock", async () => {
    const url = await emptyDatabase();
    const migrations = readMigrations();
    const results = await Promise.all([migrateDatabase(url, migrations), migrateDatabase(url, migrations)]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, migrations.length]);
  });
});
