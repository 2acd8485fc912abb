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

  it("keeps safeCallbackPath's rules for the sign-in page", () => {
    expect(safeCallbackPath("//evil.example")).toBe("/dashboard");
    expect(safeCallbackPath("/dashboard/webhooks")).toBe("/dashboard/webhooks");
  });
});
