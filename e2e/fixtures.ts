// Typed Playwright fixtures: a database handle on the e2e gateway's own database (for seeding
// through services), and a fresh merchant with an API key per test.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { createDb, type Db } from "@/lib/db/client";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { e2eDataDir } from "./server";

export type TestMerchant = {
  merchantId: string;
  /** Dashboard sign-in of the merchant's owner. */
  email: string;
  password: string;
  apiKey: string;
  apiKeyId: string;
  /** Authorization header for this merchant's key. */
  auth: { authorization: string };
};

type WorkerFixtures = { db: Db };
type TestFixtures = {
  merchant: TestMerchant;
  otherMerchant: TestMerchant;
  /** Opt-in (`test.use({ failOnBrowserErrors: true })`): fail the test on any console error or page error. */
  failOnBrowserErrors: boolean;
  /** Console errors a test expects (e.g. the browser's log line for a deliberate 401 or 404). */
  allowedBrowserErrors: RegExp[];
};

async function seedMerchant(db: Db, label: string): Promise<TestMerchant> {
  const suffix = randomBytes(6).toString("hex");
  const email = `${label}-${suffix}@e2e.test`;
  const password = "e2e-password";
  const { merchantId } = await createMerchant(db, { name: `${label} ${suffix}`, email, password });
  const key = await createApiKey({ db: db, actor: OPERATOR }, { merchantId, name: "e2e" });
  return {
    merchantId,
    email,
    password,
    apiKey: key.apiKey,
    apiKeyId: key.id,
    auth: { authorization: `Bearer ${key.apiKey}` },
  };
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  db: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      // npm start writes the database it runs on (embedded or DATABASE_URL) to runtime.json.
      const runtime = JSON.parse(readFileSync(join(e2eDataDir, "runtime.json"), "utf8")) as {
        databaseUrl: string;
      };
      const db = createDb(runtime.databaseUrl, { maxConnections: 4 });
      await use(db);
      await db.$disconnect();
    },
    { scope: "worker" },
  ],
  merchant: async ({ db }, use) => use(await seedMerchant(db, "merchant")),
  failOnBrowserErrors: [false, { option: true }],
  allowedBrowserErrors: [[], { option: true }],
  // Wraps the built-in page only for tests that use one.
  page: async ({ page, failOnBrowserErrors, allowedBrowserErrors }, use) => {
    const errors: string[] = [];
    if (failOnBrowserErrors) {
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
      });
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    }
    await use(page);
    const unexpected = errors.filter((error) => !allowedBrowserErrors.some((pattern) => pattern.test(error)));
    expect(unexpected, "browser console errors").toEqual([]);
  },
  otherMerchant: async ({ db }, use) => use(await seedMerchant(db, "other")),
});

export { expect };

/** Creates a payment through the API and returns its JSON (asserting 201). */
export async function createPaymentViaApi(
  request: APIRequestContext,
  merchant: TestMerchant,
  body: Record<string, unknown> = { chain: "local", token: "USDC", amount: "12.5" },
) {
  const response = await request.post("/api/v1/payments", { headers: merchant.auth, data: body });
  expect(response.status(), await response.text()).toBe(201);
  return response.json();
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
  request_id?: string;
};

/** Asserts an RFC 9457 problem answer with the given status and code, and returns it. */
export async function expectProblem(
  response: Awaited<ReturnType<APIRequestContext["get"]>>,
  status: number,
  code: string,
): Promise<ProblemBody> {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()["content-type"]).toContain("application/problem+json");
  const problem = (await response.json()) as ProblemBody;
  expect(problem).toMatchObject({
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.any(String),
  });
  return problem;
}

/**
 * Signs the merchant's owner in through next-auth's own endpoints (CSRF token, then the credentials
 * callback) with the page's cookie jar, so the page is signed in without going through the form.
 */
export async function signInViaApi(page: Page, merchant: Pick<TestMerchant, "email" | "password">) {
  const csrf = await page.request.get("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await page.request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: merchant.email, password: merchant.password, json: "true" },
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBeLessThan(400);
  const cookies = await page.context().cookies();
  expect(cookies.map((cookie) => cookie.name)).toContain("next-auth.session-token");
}
