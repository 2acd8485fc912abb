import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, queryDatabase, type TestDatabase } from "../testing/database";
import { type Migration, migrateDatabase, migrationChecksum, readMigrations } from "./migrate";
import { migrationStatus } from "./migration-status";
import { rollbackDatabase } from "./rollback";

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

async function emptyDatabase(): Promise<string> {
  const database = await createTestDatabase({ empty: true });
  databases.push(database);
  return database.databaseUrl;
}

function migration(name: string, sql: string, downSql?: string): Migration {
  return { name, sql, checksum: migrationChecksum(sql), ...(downSql === undefined ? {} : { downSql }) };
}

const A = migration("20000101000000_a", `CREATE TABLE "a" ("id" INT);`, `DROP TABLE "a";`);
const B = migration("20000102000000_b", `CREATE TABLE "b" ("id" INT);`, `DROP TABLE "b";`);
const MONEY = migration(
  "20000103000000_money",
  `CREATE TABLE "ledger" ("amount" NUMERIC(78,0));`,
  `-- ctrip:drops-money-data (the ledger)\nDROP TABLE "ledger";`,
);

const query = queryDatabase;

const tables = async (url: string) =>
  (
    await query<{ name: string }>(
      url,
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    )
  ).map((row) => row.name);

describe("rollbackDatabase", () => {
  it("undoes newest first down to the target, removing their rows; migrate applies them again", async () => {
    const url = await emptyDatabase();
    await migrateDatabase(url, [A, B, MONEY]);
    expect(await rollbackDatabase(url, { to: A.name, force: true }, [A, B, MONEY])).toEqual({
      rolledBack: [MONEY.name, B.name],
    });
    expect(await tables(url)).toEqual(["_prisma_migrations", "a"]);
    expect((await migrationStatus(url, [A, B, MONEY])).map((entry) => entry.state)).toEqual([
      "applied",
      "pending",
      "pending",
    ]);
    expect((await migrateDatabase(url, [A, B, MONEY])).applied).toEqual([B.name, MONEY.name]);
  });

  it("refuses a down script that drops money data unless forced, and runs nothing", async () => {
    const url = await emptyDatabase();
    await migrateDatabase(url, [A, B, MONEY]);
    await expect(rollbackDatabase(url, { to: A.name }, [A, B, MONEY])).rejects.toThrow(
      "rolling back 20000103000000_money drops money data; back up first (npm run admin -- backup --out FILE), then repeat with --force",
    );
    expect(await tables(url)).toEqual(["_prisma_migrations", "a", "b", "ledger"]);
    // Without the money migration in range, no force is needed.
    await rollbackDatabase(url, { to: A.name, force: true }, [A, B, MONEY]);
    await migrateDatabase(url, [A, B]);
    expect((await rollbackDatabase(url, { to: A.name }, [A, B])).rolledBack).toEqual([B.name]);
  });

  it("refuses, before running anything, an unknown or unapplied target, drift, a missing down.sql", async () => {
    const url = await emptyDatabase();
    const noDown = migration("20000104000000_no_down", `CREATE TABLE "c" ("id" INT);`);
    await migrateDatabase(url, [A, B, noDown]);
    await expect(rollbackDatabase(url, { to: "20000101000000_nope" }, [A, B, noDown])).rejects.toThrow(
      "unknown migration 20000101000000_nope (npm run db:status lists them)",
    );
    await expect(rollbackDatabase(url, { to: A.name }, [A, B, noDown])).rejects.toThrow(
      "migration 20000104000000_no_down has no down.sql; it cannot be rolled back",
    );
    const editedB = migration(B.name, `CREATE TABLE "b" ("id" BIGINT);`, B.downSql);
    await expect(rollbackDatabase(url, { to: A.name }, [A, editedB])).rejects.toThrow(
      "migration 20000104000000_no_down is applied but has no folder in prisma/migrations",
    );
    await rollbackDatabase(url, { to: B.name }, [A, B, { ...noDown, downSql: `DROP TABLE "c";` }]);
    await expect(rollbackDatabase(url, { to: A.name }, [A, editedB])).rejects.toThrow(
      "migration 20000102000000_b has checksum drift (migration.sql changed after it was applied)",
    );
    const C = migration("20000105000000_c", `SELECT 1;`, `SELECT 1;`);
    await expect(rollbackDatabase(url, { to: C.name }, [A, B, C])).rejects.toThrow(
      "migration 20000105000000_c is not applied; nothing to roll back to",
    );
    expect(await tables(url)).toEqual(["_prisma_migrations", "a", "b"]);
  });

  it("keeps a migration applied when its down.sql fails (one transaction per script)", async () => {
    const url = await emptyDatabase();
    const broken = migration("20000102000000_b", B.sql, `DROP TABLE "b"; SELECT * FROM "no_such_table";`);
    await migrateDatabase(url, [A, broken]);
    await expect(rollbackDatabase(url, { to: A.name }, [A, broken])).rejects.toThrow(
      /down.sql of 20000102000000_b failed \(nothing of it applied; 0 rolled back before it\): .*no_such_table/,
    );
    expect(await tables(url)).toEqual(["_prisma_migrations", "a", "b"]);
    expect((await migrationStatus(url, [A, broken])).map((entry) => entry.state)).toEqual([
      "applied",
      "applied",
    ]);
  });

  it("turns developers into viewers when access control is rolled back (the old roles had none)", async () => {
    const url = await emptyDatabase();
    const migrations = readMigrations();
    await migrateDatabase(url, migrations);
    await query(
      url,
      `INSERT INTO merchants (id, name, hd_account, deposit_xpub, updated_at) VALUES ('m_1', 'M', 1, 'xpub', now());
       INSERT INTO users (id, merchant_id, email, password_hash, role, updated_at)
       VALUES ('u_1', 'm_1', 'dev@example.com', 'x', 'developer', now()), ('u_2', 'm_1', 'own@example.com', 'x', 'owner', now())`,
    );
    const beforeAccessControl =
      migrations[migrations.findIndex((m) => m.name.endsWith("_access_control")) - 1];
    await rollbackDatabase(url, { to: beforeAccessControl?.name ?? "", force: true }, migrations);
    expect(await query(url, `SELECT email, role::text FROM users ORDER BY email`)).toEqual([
      { email: "dev@example.com", role: "viewer" },
      { email: "own@example.com", role: "owner" },
    ]);
  });
});

describe("migrationStatus", () => {
  it("reports applied, pending, checksum drift, failed and not on disk", async () => {
    const url = await emptyDatabase();
    const gone = migration("20000100000000_gone", `SELECT 1;`);
    await migrateDatabase(url, [gone, A, B]);
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at)
       VALUES ('x', '${"0".repeat(64)}', '20000106000000_failed', now())`,
    );
    const editedB = migration(B.name, `CREATE TABLE "b" ("id" BIGINT);`);
    const entries = await migrationStatus(url, [A, editedB, MONEY]);
    expect(entries.map((entry) => [entry.name, entry.state, entry.hasDown])).toEqual([
      [gone.name, "not on disk", false],
      [A.name, "applied", true],
      [B.name, "checksum drift", false],
      [MONEY.name, "pending", true],
      ["20000106000000_failed", "failed", false],
    ]);
  });
});

describe("scripts/db.ts", () => {
  const root = join(import.meta.dirname, "..", "..");
  const db = (url: string, ...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/db.ts", ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      encoding: "utf8",
    });

  it("migrates, reports status, refuses a money rollback in one line and rolls back with --force", async () => {
    const url = await emptyDatabase();
    const migrations = readMigrations();
    const last = migrations.at(-1)?.name ?? "";
    const keep = migrations.at(-2)?.name ?? "";

    const migrate = db(url, "migrate");
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain(`migrations: ${migrations.length} applied, 0 already in place`);

    const status = db(url, "status");
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`applied +${last}`));
    expect(status.stdout).toContain(`${migrations.length} applied, 0 pending, 0 needing attention`);

    const unknown = db(url, "rollback", "--to", "nope");
    expect([unknown.status, unknown.stderr.trim()]).toEqual([
      1,
      "db: unknown migration nope (npm run db:status lists them)",
    ]);
    const usage = db(url, "rollback");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("rollback needs --to <migration> (the one to keep) or --all");

    // Every migration down to the initial one: some of them drop money data.
    const first = migrations[0]?.name ?? "";
    const refused = db(url, "rollback", "--to", first);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("drops money data");
    expect(db(url, "status").stdout).toContain(`${migrations.length} applied, 0 pending`);

    const forced = db(url, "rollback", "--to", keep, "--force");
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`rolled back ${last}`);
    expect(db(url, "status").stdout).toMatch(new RegExp(`pending +${last}`));
  });
});
