// Route templates of API requests and of pages, and the page measurement on a real Node HTTP server.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleSum } from "../testing/metrics-text";
import { methodLabel, observeHttpRequest, routeTemplate, statusClass } from "./http-metrics";
import { appFolderTemplates, measurePageRequests, pageRoute, pageTemplates } from "./page-metrics";
import { processRegistry } from "./registry";

describe("routeTemplate", () => {
  it("puts the route file's param names where Next matched the values", () => {
    expect(routeTemplate("/api/v1/payments/pay_1/refund", { id: "pay_1" })).toBe(
      "/api/v1/payments/[id]/refund",
    );
    expect(routeTemplate("/api/v1/payments", {})).toBe("/api/v1/payments");
    expect(routeTemplate("/api/v1/no/such/thing", { path: ["no", "such", "thing"] })).toBe(
      "/api/v1/[...path]",
    );
    // Next hands handlers decoded values; the path keeps them encoded.
    expect(routeTemplate("/api/checkout/a%20b", { id: "a b" })).toBe("/api/checkout/[id]");
    // A segment no param explains is never written out when it could be an id.
    expect(routeTemplate("/api/v1/payments/pay_1X", { id: "other" })).toBe("/api/v1/payments/[?]");
    expect(routeTemplate("/api/v1/x/0xabc/1234567", {})).toBe("/api/v1/x/[?]/[?]");
  });

  it("labels methods and status classes from a fixed set", () => {
    expect(methodLabel("post")).toBe("POST");
    expect(methodLabel("PROPFIND")).toBe("other");
    expect(statusClass(201)).toBe("2xx");
    expect(statusClass(503)).toBe("5xx");
  });
});

describe("per-request cost", () => {
  it("is an observation and an increment: no metric is created per request, microseconds each", () => {
    const families = processRegistry().getMetricsAsArray().length;
    const started = performance.now();
    const calls = 20_000;
    for (let i = 0; i < calls; i++)
      observeHttpRequest(routeTemplate(`/api/v1/payments/pay_${i}`, { id: `pay_${i}` }), "GET", 200, 0.01);
    const microseconds = ((performance.now() - started) * 1_000) / calls;
    expect(processRegistry().getMetricsAsArray().length).toBe(families);
    // About 3 µs measured on the shared 2-core machine; 50 µs leaves room for its load.
    expect(microseconds).toBeLessThan(50);
  });
});

describe("page requests", () => {
  const templates = pageTemplates([
    "/",
    "/dashboard/payments",
    "/dashboard/payments/[id]",
    "/pay/[id]",
    "/docs/[[...slug]]",
  ]);

  it("maps a path to the most specific page template; 404s and unknown paths to `unmatched`", () => {
    expect(pageRoute("/dashboard/payments", 200, templates)).toBe("/dashboard/payments");
    expect(pageRoute("/dashboard/payments/pay_abc", 200, templates)).toBe("/dashboard/payments/[id]");
    expect(pageRoute("/pay/pay_abc/", 200, templates)).toBe("/pay/[id]");
    expect(pageRoute("/docs", 200, templates)).toBe("/docs/[[...slug]]");
    expect(pageRoute("/docs/a/b", 200, templates)).toBe("/docs/[[...slug]]");
    expect(pageRoute("/", 200, templates)).toBe("/");
    expect(pageRoute("/pay/pay_abc", 404, templates)).toBe("unmatched");
    expect(pageRoute("/wp-login.php", 200, templates)).toBe("unmatched");
    expect(pageRoute("/_next/data/x.json", 200, templates)).toBe("/_next/*");
  });

  it("reads the templates from the app folder when no build manifest is there (next dev)", () => {
    const templates = appFolderTemplates(join(import.meta.dirname, "..", "..", "app"));
    for (const template of ["/", "/pay/[id]", "/dashboard/payments/[id]", "/api/v1/payments/[id]/refund"])
      expect(templates).toContain(template);
    // The dashboard's overview lives in a route group: `/dashboard`, not `/dashboard/(overview)`.
    expect(templates).toContain("/dashboard");
    expect(templates.some((template) => template.includes("("))).toBe(false);
  });

  it("times every page request of the Node server, and leaves wrapped /api/ routes to their wrappers", async () => {
    measurePageRequests(templates);
    const server = createServer((request, response) => {
      response.statusCode = request.url?.startsWith("/pay/") ? 200 : 404;
      response.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const count = async (route: string) =>
        sampleSum(await processRegistry().metrics(), "ctrip_http_request_duration_seconds_count", { route });
      const before = { page: await count("/pay/[id]"), unmatched: await count("unmatched") };
      for (const path of [
        "/pay/pay_1",
        "/pay/pay_2?x=1",
        "/nothing",
        "/api/v1/payments",
        "/api/auth/session",
      ])
        await fetch(`${base}${path}`);
      // The response's finish event fires after the client got the answer.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await count("/pay/[id]")).toBe(before.page + 2);
      // next-auth has no lib/http wrapper, so it is measured here (this server answers it 404).
      expect(await count("unmatched")).toBe(before.unmatched + 2);
      expect(await count("/api/v1/payments")).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
