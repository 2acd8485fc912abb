// Hostile input over real HTTP against the production build: the auth endpoints (next-auth needs
// Next's request scope, so they cannot be called in-process like the API routes in
// app/api/api-fuzz.test.ts) and malformed URLs that only Next's own server parses.
import fc from "fast-check";
import { NASTY_STRINGS } from "@/lib/testing/json-schema-arbitrary";
import { expect, test } from "../fixtures";

const RUNS = Number(process.env.AUTH_FUZZ_RUNS ?? 300);
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 200)),
);

test("the sign-in endpoints answer hostile forms without a 5xx", async ({ request, merchant }) => {
  const form = fc.record(
    {
      csrfToken: text,
      email: fc.oneof(
        fc.constantFrom(merchant.email, merchant.email.toUpperCase(), "nobody@example.com"),
        text,
      ),
      password: fc.oneof(fc.constantFrom(merchant.password, "wrong-password"), text),
      callbackUrl: fc.oneof(
        fc.constantFrom("/dashboard", "https://evil.example/", "//evil.example", "javascript:alert(1)"),
        text,
      ),
      json: fc.constantFrom("true", "false"),
    },
    { requiredKeys: [] },
  );
  const samples = fc.sample(
    fc.record({
      path: fc.oneof(
        { weight: 6, arbitrary: fc.constant("callback/credentials") },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            "csrf",
            "session",
            "providers",
            "signin",
            "signout",
            "error",
            "signin/credentials",
            "callback/nope",
          ),
        },
        {
          weight: 1,
          arbitrary: fc
            .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 })
            .map(encodeURIComponent),
        },
      ),
      method: fc.constantFrom("GET", "POST"),
      body: fc.oneof(
        {
          weight: 4,
          arbitrary: form.map((fields) => new URLSearchParams(fields as Record<string, string>).toString()),
        },
        { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? "null") },
        { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
      ),
      contentType: fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain"),
      forwardedFor: fc.ipV4(),
    }),
    { numRuns: RUNS },
  );
  const statuses: Record<number, number> = {};
  const failures: unknown[] = [];
  for (const sample of samples) {
    const response = await request.fetch(`/api/auth/${sample.path}`, {
      method: sample.method,
      headers: { "content-type": sample.contentType, "x-forwarded-for": sample.forwardedFor },
      data: sample.method === "POST" ? sample.body : undefined,
      maxRedirects: 0,
    });
    statuses[response.status()] = (statuses[response.status()] ?? 0) + 1;
    if (response.status() >= 500)
      failures.push({ ...sample, status: response.status(), body: (await response.text()).slice(0, 300) });
  }
  console.log(`auth fuzz over HTTP: ${samples.length} requests, statuses ${JSON.stringify(statuses)}`);
  expect(failures).toEqual([]);
});

test("malformed API and checkout URLs are 4xx problem+json, never a 5xx", async ({ request, merchant }) => {
  const raw = fc.oneof(
    fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%C0%AF", "..%2F..%2Fetc%2Fpasswd", "pay_%F0%9F%98%80"),
    // Dot segments (`..`, `%2e%2e`) leave the API for another path: not this test's subject.
    fc.stringMatching(/^[A-Za-z0-9%_.~-]{1,40}$/).filter((segment) => !/^(\.|%2e)+$/i.test(segment)),
  );
  const samples = fc.sample(
    fc.record({
      base: fc.constantFrom(
        "/api/v1/payments/",
        "/api/v1/events/",
        "/api/v1/webhook-endpoints/",
        "/api/checkout/",
        "/api/v1/",
      ),
      segment: raw,
      query: fc.oneof(
        fc.constant(""),
        raw.map((value) => `?${value}`),
      ),
    }),
    { numRuns: Math.ceil(RUNS / 2) },
  );
  const failures: unknown[] = [];
  for (const sample of samples) {
    const response = await request.get(`${sample.base}${sample.segment}${sample.query}`, {
      headers: merchant.auth,
    });
    const status = response.status();
    const contentType = response.headers()["content-type"] ?? "";
    if (status >= 500 || (status >= 400 && !contentType.includes("application/problem+json")))
      failures.push({ ...sample, status, contentType });
  }
  expect(failures).toEqual([]);
});
