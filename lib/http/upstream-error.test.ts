// Regression (database restart scenario, lib/http/database-restart.test.ts): a query in flight when
// PostgreSQL shuts down fails with SQLSTATE 57P01 "terminating connection due to administrator
// command" (57P03 for the next ones), which Prisma 7 reports as P2010 or a generic request error
// with the driver adapter's cause. Those were answered 500; they are a database outage: 503.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { upstreamAppError } from "./upstream-error";

let database: TestDatabase;
let admin: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  admin = await createTestDatabase();
});
afterAll(async () => {
  await admin.drop();
  await database.drop();
});

/** Runs `query` and terminates its server process while it runs, as a shutdown does. */
async function errorOfTerminated(query: () => Promise<unknown>): Promise<unknown> {
  const name = new URL(database.databaseUrl).pathname.slice(1);
  // Until it has hit the running query (on a loaded machine the query may start late).
  const terminate = async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [hit] = await admin.db.$queryRawUnsafe<{ count: bigint }[]>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS count FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep%'`,
        name,
      );
      if ((hit?.count ?? 0n) > 0n) return;
    }
  };
  const [outcome] = await Promise.allSettled([query(), terminate()]);
  if (outcome.status === "fulfilled") throw new Error("the query was not terminated");
  return outcome.reason;
}

describe("upstreamAppError", () => {
  it("maps a query terminated by a server shutdown (57P01) to 503 service_unavailable", async () => {
    for (const query of [
      () => database.db.$queryRaw`SELECT pg_sleep(20)::text`,
      () => database.db.$executeRaw`SELECT pg_sleep(20)`,
    ]) {
      const error = await errorOfTerminated(query);
      const mapped = upstreamAppError(error);
      expect(mapped?.code, String(error)).toBe("service_unavailable");
      expect(mapped?.headers).toEqual({ "retry-after": "5" });
    }
  });

  it("maps node-postgres's own connection-lost errors, passed through by Prisma, to 503", () => {
    // Seen in the restart scenario on a query whose socket closed during the shutdown.
    // An interactive transaction's connection, used again after the server cut it; the driver
    // adapter's error unwrapped inside an interactive transaction.
    expect(
      upstreamAppError(new Error("Client has encountered a connection error and is not queryable"))?.code,
    ).toBe("service_unavailable");
    const adapterError = Object.assign(new Error("terminating connection due to administrator command"), {
      name: "DriverAdapterError",
      cause: { kind: "postgres", code: "57P01" },
    });
    expect(upstreamAppError(adapterError)?.code).toBe("service_unavailable");
    expect(upstreamAppError(new Error("Connection terminated unexpectedly"))?.code).toBe(
      "service_unavailable",
    );
    const shuttingDown = Object.assign(new Error("the database system is shutting down"), {
      code: "57P03",
      severity: "FATAL",
    });
    expect(upstreamAppError(shuttingDown)?.code).toBe("service_unavailable");
    expect(upstreamAppError(new Error("something else"))).toBeUndefined();
  });

  it("maps an interactive transaction that ran out of time (P2028, an overloaded database) to 503", async () => {
    const error = await database.db
      .$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT pg_sleep(0.5)::text`;
          await tx.$queryRaw`SELECT 1`;
        },
        { timeout: 100 },
      )
      .catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe("P2028");
    expect(upstreamAppError(error)?.code).toBe("service_unavailable");
  });

  it("maps the raw pool's unwrapped errors (pool wait timeout, refused connection) to 503", async () => {
    const refused = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none", max: 1 });
    const error = await refused.query("SELECT 1").catch((caught: unknown) => caught);
    await refused.end();
    expect(upstreamAppError(error)?.status).toBe(503);
    expect(upstreamAppError(new Error("timeout exceeded when trying to connect"))?.status).toBe(503);
    expect(
      upstreamAppError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))?.status,
    ).toBe(503);
  });

  it("leaves other database errors alone (division by zero is not an outage)", async () => {
    const error = await database.db.$executeRaw`SELECT 1/0`.catch((caught: unknown) => caught);
    expect(upstreamAppError(error)).toBeUndefined();
  });
});
