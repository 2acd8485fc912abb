// The security headers on a real production build (proxy.ts), and the pages still run under the CSP:
// any CSP violation is a browser console error, which fails these tests.
import { createPaymentViaApi, expect, signInViaApi, test } from "./fixtures";

test.use({ failOnBrowserErrors: true });

test("the dashboard and sign-in pages cannot be framed and carry the CSP", async ({ page, merchant }) => {
  const signIn = await page.goto("/sign-in");
  const headers = signIn?.headers() ?? {};
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toContain("script-src 'self' 'unsafe-inline'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // npm start serves the production build: HSTS is on (browsers apply it over HTTPS only).
  expect(headers["strict-transport-security"]).toContain("max-age=");

  await signInViaApi(page, merchant);
  const dashboard = await page.goto("/dashboard");
  expect(dashboard?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  // Hydrated and interactive under the CSP.
  await expect(page.getByRole("button", { name: /sign out/i })).toBeVisible();
});

test("the checkout cannot be framed by default and still goes live under the CSP", async ({
  page,
  request,
  merchant,
}) => {
  const payment = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.5" });
  const response = await page.goto(`/pay/${payment.id}`);
  const headers = response?.headers() ?? {};
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  // Client code runs: the countdown ticks.
  await expect(page.getByTestId("countdown")).toHaveText(/^\d\d:\d\d$/);
  await expect(page.getByRole("button", { name: "Copy address" })).toBeVisible();

  const api = await request.get(`/api/checkout/${payment.id}`);
  expect(api.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
});

const API_HEADERS = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

test("API answers carry the API headers without the proxy, and Bearer requests get no cookie", async ({
  request,
  merchant,
}) => {
  const payment = await createPaymentViaApi(request, merchant, { chain: "local", amount: "0.5" });
  const answers = [
    await request.get(`/api/v1/payments/${payment.id}`, { headers: merchant.auth }),
    await request.get("/api/v1/payments?limit=1", { headers: merchant.auth }),
    await request.get("/api/v1/payments/pay_missing", { headers: merchant.auth }),
    await request.get("/api/v1/payments"), // no key: 401
    await request.get("/api/no-such-route"),
  ];
  expect(answers.map((answer) => answer.status())).toEqual([200, 200, 404, 401, 404]);
  for (const answer of answers) {
    const headers = answer.headers();
    expect(headers).toMatchObject(API_HEADERS);
    expect(headers["strict-transport-security"]).toContain("max-age=");
    // No session or cookie work on the API path.
    expect(headers["set-cookie"]).toBeUndefined();
    expect(headers["x-frame-options"]).toBeUndefined();
  }
});

test("an API path that is not valid percent-encoding is a 400 problem+json with the API headers", async ({
  request,
  merchant,
}) => {
  for (const path of ["/api/v1/payments/%zz", "/api/checkout/%E0%A4%A", "/api/v1/%"]) {
    const answer = await request.get(path, { headers: merchant.auth });
    expect(answer.status(), path).toBe(400);
    expect(answer.headers()["content-type"]).toContain("application/problem+json");
    expect(answer.headers()).toMatchObject(API_HEADERS);
  }
  // A well-formed encoded id still reaches the route (through the proxy, as it holds a `%`).
  const encoded = await request.get("/api/v1/payments/pay%5Fx", { headers: merchant.auth });
  expect(encoded.status()).toBe(404);
  expect(encoded.headers()).toMatchObject(API_HEADERS);
});
