import { readFileSync } from "node:fs";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import {
  DEFAULT_SCHEMA_FILE,
  detectSchemaDrift,
  diffSchemaShapes,
  schemaShapeFromDatabase,
  schemaShapeFromPrisma,
} from "./drift";
import { type Migration, migrateDatabase, readMigrations } from "./migrate";

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

async function migratedWith(migrations: Migration[]) {
  const database = await createTestDatabase({ empty: true });
  databases.push(database);
  await migrateDatabase(database.databaseUrl, migrations);
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  return { database, client };
}

function wrongMigration(sql: string): Migration {
  return { name: "29991231000000_deliberately_wrong", sql, checksum: "0".repeat(64) };
}

describe("schema drift", () => {
  it("finds none between the committed migrations and prisma/schema.prisma", async () => {
    const { client } = await migratedWith(readMigrations());
    try {
      expect(await detectSchemaDrift(client)).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it("reports a migration that disagrees with the schema", async () => {
    const { client } = await migratedWith([
      ...readMigrations(),
      wrongMigration(`
        DROP INDEX "payments_chain_deposit_address_key";
        ALTER TABLE "payments" ALTER COLUMN "amount" TYPE NUMERIC(20, 0);
        ALTER TABLE "transfers" ALTER COLUMN "block_hash" DROP NOT NULL;
        ALTER TYPE "payment_status" ADD VALUE 'refunded';
        CREATE TABLE "stray" ("id" TEXT PRIMARY KEY);
        DROP INDEX "payments_native_watch_idx";
        CREATE INDEX "payments_native_watch_idx" ON "payments"("chain", "status", "expires_at")
          WHERE token_address IS NOT NULL;
      `),
    ]);
    try {
      const drift = await detectSchemaDrift(client);
      expect(drift).toEqual(
        expect.arrayContaining([
          "index payments unique (chain, deposit_address): missing in database",
          "column payments.amount: schema says numeric(78,0) not null, database has numeric(20,0) not null",
          "column transfers.block_hash: schema says text not null, database has text",
          "enum payment_status: schema has [pending, detected, confirmed, settled, expired, canceled], database has [pending, detected, confirmed, settled, expired, canceled, refunded]",
          "table stray: in database but not in the Prisma schema",
          // A partial index whose predicate differs from the schema's `where: raw(...)`.
          "index payments index (chain, status, expires_at) where token_address is null: missing in database",
          "index payments index (chain, status, expires_at) where token_address is not null: not in the Prisma schema",
        ]),
      );
      expect(drift).toHaveLength(7);
    } finally {
      await client.end();
    }
  });

  it("reports a schema change that no migration made", async () => {
    const { client } = await migratedWith(readMigrations());
    try {
      const schema = readFileSync(DEFAULT_SCHEMA_FILE, "utf8")
        .replace(
          '  orderId               String?           @map("order_id")',
          '  orderId String? @map("order_id")\n  note String?',
        )
        .replace("@@index([merchantId, orderId])", "@@unique([merchantId, orderId])")
        .replace(
          "onDelete: SetNull)\n\n  @@unique([chain, txHash, logIndex])",
          "onDelete: Cascade)\n\n  @@unique([chain, txHash, logIndex])",
        );
      const drift = diffSchemaShapes(schemaShapeFromPrisma(schema), await schemaShapeFromDatabase(client));
      expect(drift).toEqual(
        expect.arrayContaining([
          "column payments.note: schema says text, database has (absent)",
          "index payments unique (merchant_id, order_id): missing in database",
          "index payments index (merchant_id, order_id): not in the Prisma schema",
          "foreign key transfers (payment_id) → payments(id) on delete cascade: missing in database",
        ]),
      );
    } finally {
      await client.end();
    }
  });
});
