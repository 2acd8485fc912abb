// Issue 20: traces exported with OTLP/HTTP to a local receiver. A payment created through the real
// API route and the webhook attempt it causes share one trace (HTTP span, its queries, the attempt
// and the attempt's queries), the spans carry the payment and merchant ids, the Request-Id is the
// trace id, and the request's log lines carry the trace id and no secret.
import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { OPERATOR } from "../access/actor";
import { API_KEY_PERMISSIONS } from "../access/permissions";
import { createApiKey } from "../api-keys/create-api-key";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { callApi } from "../testing/call-api";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../testing/otlp-receiver";
import { describeSecretHit, findSecrets, walletSecretTermsOf } from "../testing/secret-scan";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { createWebhookEndpoint } from "../webhooks/create-webhook-endpoint";
import type { WebhookDeps } from "../webhooks/webhook-deps";
import { ATTR_MERCHANT_ID, ATTR_PAYMENT_ID } from "./attributes";

/** OTLP's SpanKind of a server span (the API's SpanKind.SERVER is 1, OTLP counts from unspecified = 0). */
const OTLP_SERVER_KIND = 2;

let database: TestDatabase;
let otlp: OtlpReceiver;
let webhooks: WebhookReceiver;
let apiKey: string;
let merchantId: string;
// Imported after the environment is set: the modules the route handlers use, in the same graph.
let tracing: typeof import("./tracing");
let createLogger: typeof import("../logger").createLogger;
let processDb: typeof import("../db/client").db;

beforeAll(async () => {
  database = await createTestDatabase();
  otlp = await startOtlpReceiver();
  webhooks = await startWebhookReceiver(() => 200);
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint);
  vi.resetModules();
  tracing = await import("./tracing");
  // As instrumentation.ts does, before any query of the process-wide client.
  expect(tracing.startTracing({ role: "web", exportEachSpan: true })).toBe(true);
  ({ createLogger } = await import("../logger"));
  ({ db: processDb } = await import("../db/client"));
  ({ merchantId } = await createMerchant(database.db, {
    name: "Traced",
    email: "traced@example.com",
    password: "password-123",
  }));
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId, name: "all", permissions: [...API_KEY_PERMISSIONS] },
  ));
  await createWebhookEndpoint({ ...webhookDeps(), actor: OPERATOR }, merchantId, { url: webhooks.url });
});
afterAll(async () => {
  await tracing?.stopTracing();
  vi.unstubAllEnvs();
  await processDb?.().$disconnect();
  await Promise.all([otlp?.close(), webhooks?.close()]);
  await database?.drop();
});

function webhookDeps(logger = createLogger({}, { level: "error" })): WebhookDeps {
  return {
    // The process-wide client: its pool opened with tracing on, as in the app.
    db: processDb(),
    encryptionKey: Buffer.alloc(32, 5),
    allowLoopbackTargets: true,
    logger,
    timeoutMs: 2_000,
  };
}

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({}, { level: "debug", write: (line) => lines.push(line) }) };
}

async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
  await tracing.flushTraces();
  return otlp.spans.filter((span) => span.traceId === traceId);
}

describe("traces (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  let traceId: string;
  let paymentId: string;
  let webhookLog: ReturnType<typeof capture>;

  beforeAll(async () => {
    const created = await callApi("POST", "/api/v1/payments", {
      apiKey,
      body: { chain: "local", amount: "1" },
    });
    expect(created.status).toBe(201);
    paymentId = ((await created.json()) as { id: string }).id;
    // The Request-Id of the answer is its trace id.
    traceId = created.headers.get("request-id") ?? "";
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const { attemptWebhookDelivery } = await import("../webhooks/deliver-webhook");
    const delivery = await database.db.webhookDelivery.findFirstOrThrow({
      where: { event: { objectId: paymentId, type: "payment.created" } },
    });
    webhookLog = capture();
    const outcome = await attemptWebhookDelivery(webhookDeps(webhookLog.logger), delivery.id);
    expect(outcome?.status).toBe("succeeded");
  });

  it("exports the request's span, named after its route, with the method, route, status and ids", async () => {
    const spans = await spansOf(traceId);
    const request = spans.find((span) => span.kind === OTLP_SERVER_KIND);
    expect(request).toMatchObject({
      name: "POST /api/v1/payments",
      parentSpanId: undefined,
      attributes: expect.objectContaining({
        "http.request.method": "POST",
        "http.route": "/api/v1/payments",
        "http.response.status_code": 201,
        [ATTR_MERCHANT_ID]: merchantId,
        [ATTR_PAYMENT_ID]: paymentId,
      }),
      resource: expect.objectContaining({ "service.name": "ctrip-pay", "ctrip.process.role": "web" }),
    });
  });

  it("puts the request's queries in its trace, with their operation and parameterised text only", async () => {
    const spans = await spansOf(traceId);
    const request = spans.find((span) => span.name === "POST /api/v1/payments");
    const queries = spans.filter((span) => span.attributes["db.system.name"] === "postgresql");
    // The key lookup, the idempotency key's transaction and the payment's insert at least.
    expect(queries.length).toBeGreaterThanOrEqual(3);
    const insert = queries.find((span) =>
      // The one statement that writes the payment (its text is cut at 2,000 characters).
      String(span.attributes["db.query.text"]).includes("INSERT INTO payments"),
    );
    expect(insert).toMatchObject({ name: "WITH", parentSpanId: request?.spanId });
    expect(String(insert?.attributes["db.query.text"])).not.toContain(paymentId);
  });

  it("gives each create of a shared insert statement its own span, linked to the one that holds the statement", async () => {
    // Without an Idempotency-Key a create's insert joins its turn's statement (lib/db/statement-batcher.ts).
    const created = await Promise.all(
      Array.from({ length: 4 }, () =>
        callApi("POST", "/api/v1/payments", {
          apiKey,
          body: { chain: "local", amount: "1" },
          idempotencyKey: null,
        }),
      ),
    );
    expect(created.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    const traces = await Promise.all(
      created.map((answer) => spansOf(answer.headers.get("request-id") ?? "")),
    );
    const parts = traces.map((spans) => {
      const request = spans.find((span) => span.kind === OTLP_SERVER_KIND);
      const part = spans.find((span) => span.name === "batch insert payments");
      expect(part?.parentSpanId).toBe(request?.spanId);
      const insert = spans.find((span) =>
        String(span.attributes["db.query.text"]).includes("INSERT INTO payments"),
      );
      return { part, insert };
    });
    // The span holding a statement has its query as a child; the others of its batch link to it.
    const holders = parts.filter(({ insert }) => insert);
    for (const { part, insert } of holders) {
      expect(insert?.parentSpanId).toBe(part?.spanId);
      expect(part?.links).toEqual([]);
    }
    const linked = parts.filter(({ insert }) => !insert);
    expect(linked.length).toBeGreaterThan(0); // the four requests shared at least one statement
    for (const { part } of linked) {
      expect(part?.links).toHaveLength(1);
      const holder = holders.find((candidate) => candidate.part?.spanId === part?.links[0]?.spanId);
      expect(holder?.part?.attributes["db.operation.batch.size"]).toBe(
        part?.attributes["db.operation.batch.size"],
      );
    }
    // Each statement's batch size counts its holder and the spans linked to it.
    for (const { part } of holders) {
      const members = linked.filter((other) => other.part?.links[0]?.spanId === part?.spanId).length;
      expect(part?.attributes["db.operation.batch.size"]).toBe(members + 1);
    }
  });

  it("traces the pipelined read of a GET by id (lib/db/read-pipeline.ts) as a child of its request", async () => {
    const read = await callApi("GET", "/api/v1/payments/{id}", { apiKey, params: { id: paymentId } });
    expect(read.status).toBe(200);
    const spans = await spansOf(read.headers.get("request-id") ?? "");
    const request = spans.find((span) => span.kind === OTLP_SERVER_KIND);
    const queries = spans.filter((span) => span.attributes["db.system.name"] === "postgresql");
    const select = queries.find((span) => String(span.attributes["db.query.text"]).includes("row_to_json"));
    expect(select).toMatchObject({ name: "SELECT", parentSpanId: request?.spanId });
    expect(String(select?.attributes["db.query.text"])).not.toContain(paymentId);
  });

  it("stores the request span's traceparent with the event, and the webhook attempt continues that trace", async () => {
    const spans = await spansOf(traceId);
    const request = spans.find((span) => span.name === "POST /api/v1/payments");
    const event = await database.db.event.findFirstOrThrow({ where: { objectId: paymentId } });
    expect(event.traceParent).toBe(`00-${traceId}-${request?.spanId}-01`);

    const attempt = spans.find((span) => span.name === "webhook payment.created");
    expect(attempt).toMatchObject({
      parentSpanId: request?.spanId,
      attributes: expect.objectContaining({
        "http.request.method": "POST",
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
        "ctrip.event.id": event.id,
        [ATTR_MERCHANT_ID]: merchantId,
        [ATTR_PAYMENT_ID]: paymentId,
      }),
    });
    // The attempt's own queries (recording it) are its children.
    expect(
      spans.some((span) => span.parentSpanId === attempt?.spanId && span.attributes["db.system.name"]),
    ).toBe(true);
  });

  it("does not send the trace context to the merchant's endpoint (documented choice)", () => {
    expect(webhooks.received).toHaveLength(1);
    expect(webhooks.received[0]?.headers).not.toHaveProperty("traceparent");
    expect(webhooks.received[0]?.headers).not.toHaveProperty("tracestate");
  });

  it("exports no secret: no API key, webhook secret, query value or mnemonic in any span", async () => {
    await tracing.flushTraces();
    const exported = otlp.bodies.join("\n");
    const hits = findSecrets(exported, await walletSecretTermsOf(database.db, DEVELOPMENT_MNEMONIC));
    expect(hits.map(describeSecretHit)).toEqual([]);
    expect(exported).not.toContain(apiKey);
    expect(exported).not.toContain(webhooks.url);
  });

  it("writes the webhook attempt's log line with the payment's trace id and the merchant", () => {
    const lines = webhookLog.lines.map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "webhook attempt", trace_id: traceId, merchantId }),
    );
  });
});

describe("a trace context the client chose (Next continues an incoming traceparent)", () => {
  it("is linked, not continued: the request gets a trace id of its own as its Request-Id", async () => {
    const chosen = { traceId: "a".repeat(32), spanId: "b".repeat(16), traceFlags: 1, isRemote: true };
    const created = await context.with(trace.setSpanContext(ROOT_CONTEXT, chosen), () =>
      callApi("POST", "/api/v1/payments", { apiKey, body: { chain: "local", amount: "3" } }),
    );
    expect(created.status).toBe(201);
    const requestId = created.headers.get("request-id") ?? "";
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(requestId).not.toBe(chosen.traceId);
    const [request] = (await spansOf(requestId)).filter((span) => span.kind === OTLP_SERVER_KIND);
    expect(request?.parentSpanId).toBeUndefined();
    expect(request?.links).toEqual([{ traceId: chosen.traceId, spanId: chosen.spanId }]);
  });
});

describe("the request's child logger with tracing on", () => {
  it("carries the request id (= trace id), the merchant and the trace id on every line, and never a secret", async () => {
    const { apiRoute } = await import("../http/api-route");
    const { configuredChains } = await import("../config/chains");
    const { createPayment } = await import("../payments/create-payment");
    const { lines, logger } = capture();
    const route = apiRoute({
      logger,
      body: z.object({ note: z.string() }),
      handler: async ({ db, actor, origin, merchantId: merchant, request, logger: log }) => {
        const deps = { db, actor, origin, chains: configuredChains(), baseUrl: "http://localhost" };
        const payment = await createPayment(deps, merchant, { chain: "local", amount: "2" });
        // What a careless call site might pass: redacted by configuration.
        log.info("payment created", {
          paymentId: payment.id,
          headers: Object.fromEntries(request.headers),
          apiKey,
          mnemonic: DEVELOPMENT_MNEMONIC,
        });
        log.warn("second line", { step: 2 });
        return { status: 201, body: payment };
      },
    });
    const response = await route(
      new Request("http://localhost/api/v1/things", {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ note: "n" }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(201);
    const requestId = response.headers.get("request-id");
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines).toHaveLength(2);
    for (const line of lines.map((text) => JSON.parse(text)))
      expect(line).toMatchObject({ requestId, merchantId, trace_id: requestId, span_id: /^[0-9a-f]{16}$/ });
    const text = lines.join("\n");
    const hits = findSecrets(text, await walletSecretTermsOf(database.db, DEVELOPMENT_MNEMONIC));
    expect(hits.map(describeSecretHit)).toEqual([]);
    expect(text).toContain("[redacted]");
  });
});
