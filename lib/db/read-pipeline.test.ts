// The pipelined reader of the hot GETs (read-pipeline.ts), on the run's real PostgreSQL: every
// concurrent read on two connections, each read's own answer or its own error, reads in flight
// when a connection is terminated run again on a new one, and the connections close with the pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, queryDatabase, type TestDatabase, until } from "../testing/database";
import { createDb } from "./client";
import { rawPool } from "./raw-pool";
import { prepared } from "./raw-sql";
import { ReadPipeline, readPipeline } from "./read-pipeline";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** A read that takes `ms` and answers `n`: slow enough to be in flight when a backend is terminated. */
const slowEcho = (n: number, ms = 0) =>
  prepared("SELECT $1::int AS n, pg_sleep($2::float8 / 1000) IS NULL AS slept", [n, ms]);

const backendsAlive = async (pids: number[]) =>
  (
    await queryDatabase<{ count: string }>(
      database.databaseUrl,
      `SELECT count(*) FROM pg_stat_activity WHERE pid IN (${pids.map(Number).join(",") || "0"})`,
    )
  )[0]?.count;

describe("ReadPipeline", () => {
  it("carries 200 concurrent reads on two connections, each read getting its own answer", async () => {
    const reader = await readPipeline(database.db);
    if (!reader) throw new Error("no reader on a createDb client");
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) => reader.query<{ n: number }>(slowEcho(n))),
    );
    expect(answers.map((answer) => answer.rows[0]?.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    const pids = await reader.backendPids();
    expect(new Set(pids).size).toBe(2);
    // The same reader for the same client; not one of the pool's connections.
    expect(await readPipeline(database.db)).toBe(reader);
    const pool = await rawPool(database.db);
    expect(pool?.totalCount).toBeLessThanOrEqual(5);
  });

  it("runs with the pool's settings (its statement timeout)", async () => {
    const other = await createTestDatabase();
    const db = createDb(other.databaseUrl, { maxConnections: 2, statementTimeoutMs: 1_234 });
    try {
      const reader = await readPipeline(db);
      const timeout = await reader?.query<{ statement_timeout: string }>(
        prepared("SHOW statement_timeout", []),
      );
      expect(timeout?.rows[0]?.statement_timeout).toBe("1234ms");
    } finally {
      await db.$disconnect();
      await other.drop();
    }
  });

  it("fails only the read whose statement fails; the reads around it and the connection are untouched", async () => {
    const reader = await readPipeline(database.db);
    if (!reader) throw new Error("no reader");
    const before = await reader.backendPids();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, n) =>
        n === 10 ? reader.query(prepared("SELECT 1 / $1::int AS n", [0])) : reader.query(slowEcho(n)),
      ),
    );
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(1);
    expect(results[10]).toMatchObject({ status: "rejected", reason: { code: "22012" } });
    expect(await reader.backendPids()).toEqual(before);
  });

  it("runs the reads in flight on a terminated connection again, on a new connection", async () => {
    const reader = await readPipeline(database.db);
    if (!reader) throw new Error("no reader");
    await reader.query(slowEcho(0));
    await reader.query(slowEcho(0));
    const before = await reader.backendPids();
    expect(before).toHaveLength(2);
    // 40 reads queued behind a slow one on each connection, then both backends are terminated.
    const reads = Array.from({ length: 40 }, (_, n) =>
      reader.query<{ n: number }>(slowEcho(n, n < 2 ? 500 : 0)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await queryDatabase(
      database.databaseUrl,
      `SELECT pg_terminate_backend(pid) FROM unnest(ARRAY[${before.join(",")}]::int[]) AS pid`,
    );
    const answers = await Promise.all(reads);
    expect(answers.map((answer) => answer.rows[0]?.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    const after = await reader.backendPids();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
  });

  it("gives a failure to connect to the caller at once (the API's 503), and connects when the server is back", async () => {
    const { port } = new URL(database.databaseUrl);
    const reader = new ReadPipeline({ connectionString: database.databaseUrl.replace(`:${port}/`, ":1/") });
    await expect(reader.query(slowEcho(1))).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(reader.query(slowEcho(1))).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await reader.close();
    await expect(reader.query(slowEcho(1))).rejects.toThrow(/closed/);
  });

  it("closes its connections with the pool it belongs to (the client's $disconnect)", async () => {
    const other = await createTestDatabase();
    try {
      const reader = await readPipeline(other.db);
      if (!reader) throw new Error("no reader");
      await Promise.all([reader.query(slowEcho(1)), reader.query(slowEcho(2))]);
      const pids = await reader.backendPids();
      expect(await backendsAlive(pids)).toBe("2");
      await other.db.$disconnect();
      await until(async () => (await backendsAlive(pids)) === "0");
      // The client reconnects lazily, with a new pool and a new reader.
      const again = await readPipeline(other.db);
      expect(again).not.toBe(reader);
      expect((await again?.query<{ n: number }>(slowEcho(7)))?.rows[0]?.n).toBe(7);
    } finally {
      await other.drop();
    }
  });
});
