import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { parseEnv } from "../config/env";
import { HSTS, type SecurityHeadersConfig, securityHeaders } from "./security-headers";

const production: SecurityHeadersConfig = {
  production: true,
  development: false,
  checkoutFrameAncestors: [],
};
const directives = (csp = "") =>
  Object.fromEntries(
    csp.split(";").map((directive) => {
      const [name = "", ...values] = directive.trim().split(/\s+/);
      return [name, values.join(" ")];
    }),
  );

describe("security headers", () => {
  it.each(["/dashboard", "/dashboard/payments/pay_x", "/sign-in", "/sign-up", "/", "/docs"])(
    "%s: CSP, no framing at all, nosniff, referrer policy, HSTS in production",
    (path) => {
      const headers = securityHeaders(path, production);
      const csp = directives(headers["content-security-policy"]);
      expect(csp["frame-ancestors"]).toBe("'none'");
      expect(csp["default-src"]).toBe("'self'");
      expect(csp["object-src"]).toBe("'none'");
      // Next's inline bootstrap scripts must keep running; nothing from other origins.
      expect(csp["script-src"]).toBe("'self' 'unsafe-inline'");
      expect(csp["connect-src"]).toBe("'self'");
      expect(headers["x-frame-options"]).toBe("DENY");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
      expect(headers["strict-transport-security"]).toBe(HSTS);
    },
  );

  it("sends HSTS in production only, and allows eval (React Refresh) in development only", () => {
    const development = { production: false, development: true, checkoutFrameAncestors: [] };
    expect(securityHeaders("/dashboard", development)["strict-transport-security"]).toBeUndefined();
    expect(
      directives(securityHeaders("/dashboard", development)["content-security-policy"])["script-src"],
    ).toContain("'unsafe-eval'");
    expect(securityHeaders("/api/v1/payments", development)["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders("/api/v1/payments", production)["strict-transport-security"]).toBe(HSTS);
  });

  it("denies framing of the checkout by default and never leaks its URL as a referrer", () => {
    const headers = securityHeaders("/pay/pay_4mT1NqP8c2XkR7sVb3YwZa", production);
    expect(directives(headers["content-security-policy"])["frame-ancestors"]).toBe("'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBe("no-referrer");
  });

  it("lets only the configured origins frame the checkout, and only the checkout", () => {
    const config = {
      ...production,
      checkoutFrameAncestors: ["https://shop.example", "https://*.shop.example"],
    };
    const checkout = securityHeaders("/pay/pay_4mT1NqP8c2XkR7sVb3YwZa", config);
    expect(directives(checkout["content-security-policy"])["frame-ancestors"]).toBe(
      "https://shop.example https://*.shop.example",
    );
    expect(checkout["x-frame-options"]).toBeUndefined();
    expect(
      directives(securityHeaders("/dashboard", config)["content-security-policy"])["frame-ancestors"],
    ).toBe("'none'");
    // A path that merely starts like the checkout is not the checkout.
    expect(
      directives(securityHeaders("/payments", config)["content-security-policy"])["frame-ancestors"],
    ).toBe("'none'");
  });

  it("gives API answers a CSP that loads and frames nothing", () => {
    const headers = securityHeaders("/api/v1/payments", production);
    expect(headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
  });

  it("next.config.js sets exactly these API headers on every /api answer, so the proxy skips well-formed API paths", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.resetModules();
    try {
      const nextConfig = (
        await import(/* @vite-ignore */ new URL("../../next.config.js", import.meta.url).href)
      ).default;
      const rules = await nextConfig.headers();
      expect(rules.map((rule: { source: string }) => rule.source)).toEqual(["/api", "/api/:path*"]);
      for (const rule of rules)
        expect(
          Object.fromEntries(rule.headers.map((h: { key: string; value: string }) => [h.key, h.value])),
        ).toEqual(securityHeaders("/api/v1/payments", production));
      const { config } = await import("../../proxy");
      // Both matchers are plain regular expressions (unnamed groups only), as Next compiles them.
      const matchers = config.matcher.map((source) => new RegExp(`^${source}$`));
      const runs = (path: string) => matchers.some((matcher) => matcher.test(path));
      expect(runs("/api/v1/payments/pay_x")).toBe(false);
      expect(runs("/api/checkout/pay_x")).toBe(false);
      expect(runs("/api/v1/payments/%zz")).toBe(true);
      expect(runs("/dashboard")).toBe(true);
      expect(runs("/pay/pay_x")).toBe(true);
      expect(runs("/_next/static/chunk.js")).toBe(false);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it("parses CHECKOUT_FRAME_ANCESTORS (spaces or commas) and refuses paths and other schemes", () => {
    expect(
      parseEnv({ CHECKOUT_FRAME_ANCESTORS: "https://a.example, http://localhost:8080" })
        .CHECKOUT_FRAME_ANCESTORS,
    ).toEqual(["https://a.example", "http://localhost:8080"]);
    expect(parseEnv({}).CHECKOUT_FRAME_ANCESTORS).toBeUndefined();
    for (const bad of [
      "https://a.example/path",
      "javascript:alert(1)",
      "*",
      "'self' https://a.example",
      "a.example",
    ])
      expect(() => parseEnv({ CHECKOUT_FRAME_ANCESTORS: bad }), bad).toThrow(/CHECKOUT_FRAME_ANCESTORS/);
  });

  it("is what the root proxy puts on responses, read from the environment", async () => {
    vi.stubEnv("CHECKOUT_FRAME_ANCESTORS", "https://shop.example");
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("CTRIP_EMBEDDED", "1");
    vi.resetModules();
    try {
      const { proxy } = await import("../../proxy");
      const checkout = proxy(new NextRequest("http://localhost/pay/pay_4mT1NqP8c2XkR7sVb3YwZa"));
      expect(checkout.headers.get("content-security-policy")).toContain(
        "frame-ancestors https://shop.example",
      );
      expect(checkout.headers.get("strict-transport-security")).toBe(HSTS);
      const dashboard = proxy(new NextRequest("http://localhost/dashboard"));
      expect(dashboard.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(dashboard.headers.get("x-frame-options")).toBe("DENY");
      // Found by e2e/api/hostile-http.spec.ts: Next answered undecodable paths with a bare 500.
      for (const path of ["/api/v1/payments/%zz", "/api/checkout/%E0%A4%A", "/api/v1/%", "/pay/%C0%AF"]) {
        const rejected = proxy(new NextRequest(`http://localhost${path}`));
        expect(rejected.status, path).toBe(400);
        expect(rejected.headers.get("content-type"), path).toBe("application/problem+json");
        expect((await rejected.json()).code, path).toBe("bad_request");
        expect(rejected.headers.get("x-content-type-options"), path).toBe("nosniff");
      }
      expect(proxy(new NextRequest("http://localhost/api/v1/payments/pay%5Fx")).status).toBe(200);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
