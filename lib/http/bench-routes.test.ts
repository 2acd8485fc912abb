// The benchmark's floor routes exist only when CTRIP_BENCH_ROUTES=1: without it they are a 404
// problem+json like any unknown API path, and never touch the database.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, queryDatabase, type TestDatabase } from "../testing/database";
import { disconnectProcessDb } from "../testing/process-db";

let database: TestDatabase;
const BODY = JSON.stringify({ chain: "local", token: "USDC", amount: "12.5" });

beforeAll(async () => {
  database = await createTestDatabase();
  await queryDatabase(
    database.databaseUrl,
    "CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, chain text NOT NULL, token text, amount numeric(78, 0) NOT NULL)",
  );
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await disconnectProcessDb();
  await database.drop();
});

async function loadRoutes(flag: string | undefined) {
  vi.unstubAllEnvs();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  if (flag !== undefined) vi.stubEnv("CTRIP_BENCH_ROUTES", flag);
  vi.resetModules();
  const post = (path: string) => new Request(`http://localhost${path}`, { method: "POST", body: BODY });
  const next = await import("@/app/api/bench/next/route");
  const insert = await import("@/app/api/bench/insert/route");
  return {
    next: () => next.POST(post("/api/bench/next")),
    nextGet: () => next.GET(new Request("http://localhost/api/bench/next")),
    insert: () => insert.POST(post("/api/bench/insert")),
  };
}

const rowCount = async () =>
  Number(
    (await queryDatabase<{ n: string }>(database.databaseUrl, "SELECT count(*) AS n FROM bench_baseline"))[0]
      ?.n,
  );

describe("benchmark floor routes", () => {
  it.each([undefined, "0", "false"])(
    "answer 404 problem+json and write nothing with CTRIP_BENCH_ROUTES=%s",
    async (flag) => {
      const routes = await loadRoutes(flag);
      for (const call of [routes.next, routes.nextGet, routes.insert]) {
        const response = await call();
        expect(response.status).toBe(404);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
      }
      expect(await rowCount()).toBe(0);
    },
  );

  it("serve the bare handler and the one INSERT with CTRIP_BENCH_ROUTES=1", async () => {
    const routes = await loadRoutes("1");
    const bare = await routes.next();
    expect(bare.status).toBe(201);
    expect(await bare.json()).toEqual({ id: "0", chain: "local", token: "USDC", amount: "12500000" });
    expect((await routes.nextGet()).status).toBe(200);
    const inserted = await routes.insert();
    expect(inserted.status).toBe(201);
    expect((await inserted.json()).amount).toBe("12500000");
    expect(await rowCount()).toBe(1);
  });
});
