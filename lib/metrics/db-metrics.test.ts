// Query time and pool figures of a real Prisma client on a real PostgreSQL, on both paths a query
// takes through node-postgres: pg-pool's `pool.query` (callbacks) and a transaction's connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client";
import { prepared } from "../db/raw-sql";
import { readPipeline } from "../db/read-pipeline";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { sampleSum } from "../testing/metrics-text";
import { processRegistry } from "./registry";

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.databaseUrl, { maxConnections: 3 });
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

const scrape = () => processRegistry().metrics();
const queries = async (outcome: string) =>
  sampleSum(await scrape(), "ctrip_db_query_duration_seconds_count", { outcome });

describe("database metrics", () => {
  it("times every query, in and out of transactions, failed ones as errors", async () => {
    await db.payment.count(); // connects the pool
    const before = { ok: await queries("ok"), error: await queries("error") };
    await db.payment.count();
    expect(await queries("ok")).toBe(before.ok + 1);
    await db.$transaction(async (tx) => {
      await tx.payment.count();
    });
    // BEGIN, the count, COMMIT.
    expect(await queries("ok")).toBe(before.ok + 4);
    await expect(db.$queryRawUnsafe("SELECT 1/0")).rejects.toThrow();
    expect(await queries("error")).toBe(before.error + 1);
  });

  it("times the pipelined reader's reads too (lib/db/read-pipeline.ts)", async () => {
    const reader = await readPipeline(db);
    if (!reader) throw new Error("no reader");
    await reader.query(prepared("SELECT 1", [])); // opens its connection
    const before = { ok: await queries("ok"), error: await queries("error") };
    await Promise.all([reader.query(prepared("SELECT 1", [])), reader.query(prepared("SELECT 2", []))]);
    await expect(reader.query(prepared("SELECT 1/0", []))).rejects.toThrow();
    expect(await queries("ok")).toBe(before.ok + 2);
    expect(await queries("error")).toBe(before.error + 1);
  });

  it("reports the pool: open, idle, waiting and its limit", async () => {
    const release: (() => void)[] = [];
    // Hold every connection in a transaction, then queue one more query.
    const held = Array.from({ length: 3 }, () =>
      db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await new Promise<void>((resolve) => release.push(resolve));
      }),
    );
    await expect.poll(() => release.length).toBe(3);
    // `.then` starts it (a Prisma query is lazy).
    const waiting = db.payment.count().then(() => undefined);
    await expect
      .poll(async () => sampleSum(await scrape(), "ctrip_db_pool_waiting_requests"))
      .toBeGreaterThanOrEqual(1);
    const text = await scrape();
    expect(sampleSum(text, "ctrip_db_pool_connections")).toBeGreaterThanOrEqual(3);
    expect(sampleSum(text, "ctrip_db_pool_max_connections")).toBeGreaterThanOrEqual(3);
    for (const done of release) done();
    await Promise.all([...held, waiting]);
    await expect.poll(async () => sampleSum(await scrape(), "ctrip_db_pool_waiting_requests")).toBe(0);
    expect(sampleSum(await scrape(), "ctrip_db_pool_idle_connections")).toBeGreaterThanOrEqual(3);
  });
});
