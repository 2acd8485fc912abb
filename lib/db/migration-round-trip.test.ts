// Every migration in prisma/migrations (including ones added later) goes up, down and up again on a
// fresh database: after its down.sql the catalog equals the one before the migration, after the
// second up the one after the first; at the end the database matches prisma/schema.prisma. A down
// script that drops money data must say so (the `-- ctrip:drops-money-data` header).
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type CatalogDump, dumpCatalog } from "./catalog-dump";
import { detectSchemaDrift } from "./drift";
import { migrateDatabase, readMigrations } from "./migrate";
import { dropsMoneyData, rollbackDatabase } from "./rollback";

/** Tables whose rows are money records even where no column holds an amount. */
const MONEY_TABLES = new Set([
  "payments",
  "payment_status_changes",
  "transfers",
  "balances",
  "balance_transactions",
  "payouts",
  "payout_limits",
  "sweeps",
  "hot_wallet_gas_top_ups",
  "setting_changes",
  "chain_incidents",
]);
const AMOUNT_TYPE = / numeric\(78,0\)/;

/** What undoing a migration destroys that holds money data (tables, their columns, enum values they use). */
function moneyDataDropped(after: CatalogDump, before: CatalogDump): string[] {
  const tableOf = (column: string) => column.slice(0, column.indexOf("."));
  const moneyTables = new Set([
    ...after.columns.filter((column) => AMOUNT_TYPE.test(column)).map(tableOf),
    ...after.relations.map((relation) => relation.slice(2)).filter((table) => MONEY_TABLES.has(table)),
  ]);
  const columnName = (column: string) => column.slice(0, column.indexOf(" "));
  const kept = new Set(before.columns.map(columnName));
  const dropped = after.columns
    .filter((column) => !kept.has(columnName(column)) && moneyTables.has(tableOf(column)))
    .map(columnName);
  const moneyTypes = new Set(
    after.columns.filter((column) => moneyTables.has(tableOf(column))).map((column) => column.split(" ")[1]),
  );
  const enumValues = (dump: CatalogDump, name: string) =>
    dump.enums.find((entry) => entry.startsWith(`${name} (`));
  const narrowed = [...moneyTypes].filter((type) => {
    const was = enumValues(after, type ?? "");
    const is = enumValues(before, type ?? "");
    return was !== undefined && is !== undefined && was !== is;
  });
  return [...dropped, ...narrowed.map((type) => `enum ${type}`)];
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

describe("migrations up → down → up", () => {
  it("every down.sql restores exactly the schema before its migration", { timeout: 300_000 }, async () => {
    const migrations = readMigrations();
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      for (const [index, migration] of migrations.entries()) {
        expect(migration.downSql, `${migration.name} has no down.sql`).toBeDefined();
        const previous = index === 0 ? null : (migrations[index - 1]?.name ?? null);
        const before = await dumpCatalog(client);
        await migrateDatabase(database.databaseUrl, migrations.slice(0, index + 1));
        const after = await dumpCatalog(client);

        await rollbackDatabase(database.databaseUrl, { to: previous, force: true }, migrations);
        expect(await dumpCatalog(client), `down.sql of ${migration.name}`).toEqual(before);

        const dropped = moneyDataDropped(after, before);
        if (dropped.length > 0)
          expect(
            dropsMoneyData(migration.downSql ?? ""),
            `down.sql of ${migration.name} drops ${dropped.join(", ")} without the -- ctrip:drops-money-data header`,
          ).toBe(true);

        await migrateDatabase(database.databaseUrl, migrations.slice(0, index + 1));
        expect(await dumpCatalog(client), `${migration.name} applied again after its down.sql`).toEqual(
          after,
        );
      }
      expect(await detectSchemaDrift(client)).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
