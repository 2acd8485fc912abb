// GET /api/metrics through the real route handler on a real database: public by default, behind
// `Authorization: Bearer <METRICS_TOKEN>` when one is configured.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

const TOKEN = "metrics-token-0123456789abcdef";
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await disconnectProcessDb();
  await database.drop();
});

/** The route as a fresh process with this environment would load it. */
async function loadRoute(extraEnv: Record<string, string>) {
  vi.unstubAllEnvs();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  for (const [name, value] of Object.entries(extraEnv)) vi.stubEnv(name, value);
  vi.resetModules();
  const route = await import("./route");
  return (headers: Record<string, string> = {}) =>
    route.GET(new Request("http://localhost/api/metrics", { headers }), { params: Promise.resolve({}) });
}

describe("GET /api/metrics", () => {
  it("is public in the Prometheus text format when no METRICS_TOKEN is set", async () => {
    const scrape = await loadRoute({});
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await response.text()).toMatch(/^# TYPE ctrip_payments gauge$/m);
  });

  it("answers only the configured bearer token when METRICS_TOKEN is set", async () => {
    const scrape = await loadRoute({ METRICS_TOKEN: TOKEN });
    const refused: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString("base64")}` },
      { authorization: TOKEN },
    ];
    for (const headers of refused) {
      const response = await scrape(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      const body = await response.text();
      expect(body).toContain('"code":"unauthorized"');
      expect(body).not.toContain("ctrip_");
      expect(body).not.toContain(TOKEN);
    }
    const allowed = await scrape({ authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("process_resident_memory_bytes");
  });

  it("limits scrapes per client", async () => {
    const scrape = await loadRoute({ METRICS_TOKEN: TOKEN });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await scrape({ "x-forwarded-for": "203.0.113.9" })).status);
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
