import { describe, expect, it } from "vitest";
import { authOptions } from "./auth-options";
import { safeCallbackPath, safeRedirectUrl } from "./safe-callback-path";

const base = "http://localhost:3000";

describe("sign-in redirects", () => {
  it("keeps same-origin paths and URLs", () => {
    expect(safeRedirectUrl("/dashboard/payments?status=pending", base)).toBe(
      `${base}/dashboard/payments?status=pending`,
    );
    expect(safeRedirectUrl(`${base}/dashboard`, base)).toBe(`${base}/dashboard`);
  });

  it("sends other origins, protocol-relative and script URLs to the base URL", () => {
    for (const url of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
      expect(safeRedirectUrl(url, base), url).toBe(base);
  });

  // Found by e2e/api/hostile-http.spec.ts: next-auth's default callback ran `new URL(".5")` → 500.
  it("answers junk callback URLs with the base URL instead of throwing", () => {
    for (const url of [".5", "B_^9aS0", '@kZR?("HC9', "", "%", "http://"])
      expect(safeRedirectUrl(url, base), url).toBe(base);
  });

  it("is the redirect callback next-auth uses", async () => {
    const redirect = authOptions().callbacks?.redirect;
    expect(await redirect?.({ url: ".5", baseUrl: base })).toBe(base);
    expect(await redirect?.({ url: "/dashboard", baseUrl: base })).toBe(`${base}/dashboard`);
  });

  // Issue 16: `/%09/evil.example/` passed the old prefix check and redirected off-site after sign-in.
  it.each([
    "/%09/evil.example/",
    "/\t/evil.example",
    "/%0a/evil.example",
    "/%2509/evil.example",
    "/%5cevil.example",
    "/\\evil.example",
    "//evil.example",
    "/%2f/evil.example",
    "/\u0000x",
    "/%",
    "https://evil.example/",
    "dashboard",
  ])("refuses %j as a callback path and as a redirect", (url) => {
    expect(safeCallbackPath(url)).toBe("/dashboard");
    expect(safeRedirectUrl(url, base)).toBe(base);
  });

  it("refuses same-origin absolute URLs whose path carries an encoded control character", () => {
    expect(safeRedirectUrl(`${base}/%09/evil.example/`, base)).toBe(base);
    expect(safeRedirectUrl(`${base}/dashboard?x=1#top`, base)).toBe(`${base}/dashboard?x=1#top`);
  });

  it("keeps safeCallbackPath's rules for the sign-in page", () => {
    expect(safeCallbackPath("//evil.example")).toBe("/dashboard");
    expect(safeCallbackPath("/dashboard/webhooks")).toBe("/dashboard/webhooks");
  });
});
