// Issue 20: /api/metrics scraped through its real route after real traffic (an API payment, a
// 404, an RPC call to Anvil, embedded job runs, webhook attempts to real receivers): the
// histograms and counters moved, with route templates and bounded labels only.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "../access/actor";
import { API_KEY_PERMISSIONS } from "../access/permissions";
import { createApiKey } from "../api-keys/create-api-key";
import { chainClient } from "../chains/public-client";
import { startEmbeddedRunner } from "../jobs/embedded-runner";
import { createLogger } from "../logger";
import { createMerchant } from "../merchants/create-merchant";
import { callApi } from "../testing/call-api";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { looksLikeAnId, metricFamilies, parseSamples, sampleSum } from "../testing/metrics-text";
import { disconnectProcessDb } from "../testing/process-db";
import { testChain } from "../testing/test-chain";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "../webhooks/create-webhook-endpoint";
import { attemptWebhookDelivery } from "../webhooks/deliver-webhook";
import type { WebhookDeps } from "../webhooks/webhook-deps";

let database: TestDatabase;
let apiKey: string;
let merchantId: string;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  vi.resetModules();
  ({ merchantId } = await createMerchant(database.db, {
    name: "Metrics",
    email: "metrics@example.com",
    password: "password-123",
  }));
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId, name: "all", permissions: [...API_KEY_PERMISSIONS] },
  ));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await disconnectProcessDb();
  await database.drop();
});

/** A scrape of GET /api/metrics through the route handler, as Prometheus does it. */
async function scrape(): Promise<string> {
  const route = await import("../../app/api/metrics/route");
  const response = await route.GET(new Request("http://localhost/api/metrics"), {
    params: Promise.resolve({}),
  });
  expect(response.status).toBe(200);
  return response.text();
}

const webhookDeps = (): WebhookDeps => ({
  db: database.db,
  encryptionKey: Buffer.alloc(32, 9),
  allowLoopbackTargets: true,
  logger: createLogger({}, { level: "error" }),
  timeoutMs: 2_000,
});

async function endpointAnswering(status: number): Promise<string> {
  const receiver = await startWebhookReceiver(() => status);
  receivers.push(receiver);
  const endpoint = await createWebhookEndpoint({ ...webhookDeps(), actor: OPERATOR }, merchantId, {
    url: receiver.url,
  });
  return endpoint.id;
}

describe("metrics after real traffic", () => {
  let before: string;
  let after: string;
  let paymentId: string;

  beforeAll(async () => {
    const succeeding = await endpointAnswering(200);
    const failing = await endpointAnswering(500);
    before = await scrape();

    const created = await callApi("POST", "/api/v1/payments", {
      apiKey,
      body: { chain: "local", amount: "1" },
    });
    expect(created.status).toBe(201);
    paymentId = ((await created.json()) as { id: string }).id;
    const missing = await callApi("GET", "/api/v1/payments/{id}", {
      apiKey,
      params: { id: "pay_0000000000000000000000" },
    });
    expect(missing.status).toBe(404);

    await chainClient(testChain()).getBlockNumber();

    const runner = startEmbeddedRunner({
      jobs: [
        { name: "metrics-probe", intervalMs: () => 60_000, run: async () => {} },
        {
          name: "metrics-probe-failing",
          intervalMs: () => 60_000,
          run: async () => {
            throw new Error("probe failure");
          },
        },
      ],
      context: { db: database.db, chains: [], logger: createLogger({}, { level: "error" }) },
      logger: createLogger({}, { level: "error" }),
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await vi.waitFor(() => {
      expect(runner.runs.get("metrics-probe")?.succeeded).toBe(1);
      expect(runner.runs.get("metrics-probe-failing")?.failed).toBe(1);
    });
    await runner.stop();

    // The payment's `payment.created` event fanned out to both endpoints: one attempt each.
    for (const endpointId of [succeeding, failing]) {
      const delivery = await database.db.webhookDelivery.findFirstOrThrow({ where: { endpointId } });
      expect(await attemptWebhookDelivery(webhookDeps(), delivery.id)).not.toBeNull();
    }
    after = await scrape();
  });

  const moved = (name: string, labels: Record<string, string> = {}) =>
    sampleSum(after, name, labels) - sampleSum(before, name, labels);

  it("counts and times API requests by route template, method and status class", () => {
    const created = { route: "/api/v1/payments", method: "POST", status_class: "2xx" };
    expect(moved("ctrip_http_requests_total", created)).toBe(1);
    expect(moved("ctrip_http_request_duration_seconds_count", created)).toBe(1);
    expect(moved("ctrip_http_request_duration_seconds_bucket", { ...created, le: "+Inf" })).toBe(1);
    expect(moved("ctrip_http_request_duration_seconds_sum", created)).toBeGreaterThan(0);
    const missing = { route: "/api/v1/payments/[id]", method: "GET", status_class: "4xx" };
    expect(moved("ctrip_http_requests_total", missing)).toBe(1);
    expect(moved("ctrip_http_problems_total", { code: "not_found", status: "404" })).toBe(1);
    // The scrape before is itself a request of the public metrics route.
    expect(moved("ctrip_http_requests_total", { route: "/api/metrics", status_class: "2xx" })).toBe(1);
  });

  it("counts RPC calls by chain, method, URL index and outcome, with their latency", () => {
    const labels = { chain: "local", method: "eth_blockNumber", url_index: "0", outcome: "ok" };
    expect(moved("ctrip_rpc_requests_total", labels)).toBeGreaterThanOrEqual(1);
    expect(moved("ctrip_rpc_request_duration_seconds_count", labels)).toBeGreaterThanOrEqual(1);
  });

  it("counts job runs by job and outcome, with their duration", () => {
    expect(moved("ctrip_job_runs_total", { job: "metrics-probe", outcome: "succeeded" })).toBe(1);
    expect(moved("ctrip_job_runs_total", { job: "metrics-probe-failing", outcome: "failed" })).toBe(1);
    expect(
      moved("ctrip_job_run_duration_seconds_count", { job: "metrics-probe", outcome: "succeeded" }),
    ).toBe(1);
  });

  it("counts webhook attempts by outcome and the delivery lag of successes", () => {
    expect(moved("ctrip_webhook_attempts_total", { outcome: "succeeded" })).toBe(1);
    expect(moved("ctrip_webhook_attempts_total", { outcome: "http_error" })).toBe(1);
    expect(moved("ctrip_webhook_attempt_duration_seconds_count", { outcome: "http_error" })).toBe(1);
    expect(moved("ctrip_webhook_delivery_lag_seconds_count")).toBe(1);
    // The failed delivery is pending its retry.
    expect(sampleSum(after, "ctrip_webhook_deliveries_pending")).toBeGreaterThanOrEqual(1);
  });

  it("times database queries and reports the pool; payments by status; Node.js default metrics", () => {
    expect(moved("ctrip_db_query_duration_seconds_count", { outcome: "ok" })).toBeGreaterThan(5);
    expect(sampleSum(after, "ctrip_db_pool_connections")).toBeGreaterThan(0);
    expect(sampleSum(after, "ctrip_db_pool_max_connections")).toBeGreaterThan(0);
    expect(sampleSum(after, "ctrip_payments", { chain: "local" })).toBe(1);
    const families = metricFamilies(after);
    for (const name of [
      "nodejs_eventloop_lag_seconds",
      "process_cpu_user_seconds_total",
      "nodejs_gc_duration_seconds",
    ])
      expect(families.has(name)).toBe(true);
  });

  it("never labels with an id, an address or a hash", async () => {
    // Many distinct ids through the same route add no label value.
    for (let i = 0; i < 5; i++)
      await callApi("GET", "/api/v1/payments/{id}", { apiKey, params: { id: `pay_${"1".repeat(21)}${i}` } });
    const text = await scrape();
    expect(text).not.toContain(paymentId);
    expect(text).not.toContain(merchantId);
    const routes = new Set<string>();
    for (const sample of parseSamples(text)) {
      if (sample.labels.route !== undefined) routes.add(sample.labels.route);
      for (const [label, value] of Object.entries(sample.labels)) {
        if (label === "le" || label === "version") continue;
        expect(looksLikeAnId(value), `${sample.name}{${label}="${value}"}`).toBe(false);
      }
    }
    expect([...routes].filter((route) => route.startsWith("/api/v1/payments/"))).toEqual([
      "/api/v1/payments/[id]",
    ]);
  });
});

describe("looksLikeAnId", () => {
  it("flags ids, addresses, hashes and UUIDs, not templates or codes", () => {
    for (const id of [
      "pay_3sJ9cXk1mZ0aQ2",
      "/api/v1/payments/pay_3sJ9cXk1mZ0aQ2",
      "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      "8a9f0c1e-2b3c-4d5e-8f90-123456789abc",
      "1733300000",
    ])
      expect(looksLikeAnId(id), id).toBe(true);
    for (const label of [
      "/api/v1/payments/[id]",
      "not_found",
      "eth_blockNumber",
      "gas_tank_insufficient",
      "sender_blacklisted",
      "max_replacements",
      "2xx",
    ])
      expect(looksLikeAnId(label), label).toBe(false);
  });
});
