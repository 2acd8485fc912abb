import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { functions } from "@/inngest/functions";

// env() is parsed once per module graph: each case loads the route afresh under its own environment.
async function loadRoute(environment: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  return import("./route");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const request = (method: string) => new NextRequest("http://127.0.0.1:3000/api/inngest", { method });

describe("/api/inngest", () => {
  it("answers 503 problem+json naming the embedded runner when Inngest is not configured", async () => {
    const route = await loadRoute({ INNGEST_SIGNING_KEY: undefined, INNGEST_DEV: undefined });
    for (const handler of [route.GET, route.POST, route.PUT]) {
      const response = await handler(request("GET"), {});
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = await response.json();
      expect(body).toMatchObject({
        status: 503,
        code: "inngest_not_configured",
        title: "Inngest is not configured",
      });
      expect(body.detail).toMatch(/embedded runner/);
      expect(body.detail).toMatch(/INNGEST_SIGNING_KEY/);
      expect(body.detail).toMatch(/INNGEST_DEV/);
    }
  });

  it("hands requests to the Inngest SDK when a dev server is configured", async () => {
    const route = await loadRoute({ INNGEST_DEV: "1", INNGEST_SIGNING_KEY: undefined });
    const response = await route.GET(request("GET"), {});
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ function_count: functions.length, mode: "dev" });
  });
});
