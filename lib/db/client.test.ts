// DATABASE_POOL_SIZE, DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS: validated
// settings the Prisma client of every process uses, checked on the real test PostgreSQL.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError, parseEnv } from "../config/env";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createDb, type Db } from "./client";

let database: TestDatabase;
const opened: Db[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.$disconnect()));
  await database.drop();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** The backend pids serving `queries` parallel half-second queries: one per pooled connection. */
async function connectionsUsed(db: Db, queries: number): Promise<number> {
  const rows = await Promise.all(
    Array.from(
      { length: queries },
      () => db.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid, pg_sleep(0.3)::text AS slept`,
    ),
  );
  return new Set(rows.map(([row]) => row?.pid)).size;
}

describe("database settings", () => {
  it("defaults to a pool of 10, a 60 s statement timeout and a 10 s connect timeout", () => {
    expect(parseEnv({})).toMatchObject({
      DATABASE_POOL_SIZE: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 60_000,
      DATABASE_CONNECT_TIMEOUT_MS: 10_000,
    });
  });

  it.each([
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_POOL_SIZE", "ten"],
    ["DATABASE_POOL_SIZE", "2.5"],
    ["DATABASE_STATEMENT_TIMEOUT_MS", "-1"],
    ["DATABASE_CONNECT_TIMEOUT_MS", "5"],
  ])("refuses %s=%s, naming the variable", (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(ConfigError);
    expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`^ {2}${name}: `, "m"));
  });

  it("the client's pool holds DATABASE_POOL_SIZE connections", async () => {
    vi.stubEnv("DATABASE_POOL_SIZE", "3");
    vi.resetModules();
    const { createDb: createDbFromEnv } = await import("./client");
    const db = createDbFromEnv(database.databaseUrl);
    opened.push(db);
    expect(await connectionsUsed(db, 8)).toBe(3);
    // An explicit size (the admin CLI's, npm start's own short-lived client) wins.
    const small = createDb(database.databaseUrl, { maxConnections: 1 });
    opened.push(small);
    expect(await connectionsUsed(small, 3)).toBe(1);
  });

  it("PostgreSQL cancels a statement running past DATABASE_STATEMENT_TIMEOUT_MS; 0 means no limit", async () => {
    vi.stubEnv("DATABASE_STATEMENT_TIMEOUT_MS", "200");
    vi.resetModules();
    const { createDb: createDbFromEnv } = await import("./client");
    const limited = createDbFromEnv(database.databaseUrl);
    opened.push(limited);
    await expect(limited.$queryRaw`SELECT pg_sleep(1)::text`).rejects.toThrow(/statement timeout/);
    // The connection is still usable afterwards.
    expect(await limited.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);

    const unlimited = createDb(database.databaseUrl, { statementTimeoutMs: 0 });
    opened.push(unlimited);
    await expect(unlimited.$queryRaw`SELECT pg_sleep(0.4)::text AS slept`).resolves.toHaveLength(1);
  });

  it("gives up opening a connection after DATABASE_CONNECT_TIMEOUT_MS (a server that never answers)", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolveListen) => silent.listen(0, "127.0.0.1", resolveListen));
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      vi.stubEnv("DATABASE_CONNECT_TIMEOUT_MS", "300");
      vi.resetModules();
      const { createDb: createDbFromEnv } = await import("./client");
      const db = createDbFromEnv(`postgresql://u:p@127.0.0.1:${port}/none`);
      opened.push(db);
      const startedAt = Date.now();
      await expect(db.$queryRaw`SELECT 1`).rejects.toThrow();
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolveClose) => silent.close(resolveClose));
    }
  });
});
