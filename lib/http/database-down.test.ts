// The API and public route wrappers while the database cannot be reached (nothing listens on its
// port, as during a restart): 503 problem+json with Retry-After, not a 500 (issue 9, "Database
// restart mid-load"; the restart and recovery scenario is lib/http/database-restart.test.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { freePort } from "../runtime/free-port";

let apiRoute: typeof import("./api-route").apiRoute;
let publicRoute: typeof import("./public-route").publicRoute;
let logger: typeof import("../logger").logger;
beforeAll(async () => {
  vi.stubEnv("DATABASE_URL", `postgresql://ctrip:ctrip@127.0.0.1:${await freePort()}/ctrip`);
  vi.resetModules();
  ({ apiRoute } = await import("./api-route"));
  ({ publicRoute } = await import("./public-route"));
  ({ logger } = await import("../logger"));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  const { db } = await import("../db/client");
  await db().$disconnect();
});

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("retry-after")).toBe("5");
  const problem = await response.json();
  expect(problem.code).toBe("service_unavailable");
  expect(JSON.stringify(problem)).not.toMatch(/127\.0\.0\.1|postgres|P1001/i);
}

describe("database unreachable", () => {
  it("an API request (the key lookup fails first) is a 503", async () => {
    vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const route = apiRoute({ handler: async () => ({ body: {} }) });
    await expectUnavailable(
      await route(
        new Request("http://localhost/api/v1/things", {
          headers: { authorization: `Bearer sk_${"x".repeat(43)}` },
        }),
        {
          params: Promise.resolve({}),
        },
      ),
    );
  });

  it("a public request (checkout status) is a 503", async () => {
    vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const route = publicRoute({
      params: z.object({ id: z.string() }),
      rateLimit: { perSecond: 10, burst: 10 },
      handler: ({ db, params }) => db.payment.findUnique({ where: { id: params.id }, select: { id: true } }),
    });
    await expectUnavailable(
      await route(new Request("http://localhost/api/checkout/pay_x"), {
        params: Promise.resolve({ id: "pay_x" }),
      }),
    );
  });

  it("a metrics scrape is a 503, not a 500", async () => {
    vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const metrics = await import("../../app/api/metrics/route");
    await expectUnavailable(
      await metrics.GET(new Request("http://localhost/api/metrics"), { params: Promise.resolve({}) }),
    );
  });
});
