// Issue 20: without OTEL_EXPORTER_OTLP_ENDPOINT tracing is off: nothing is registered or exported,
// the hooks install nothing, the Request-Id stays the random `req_…`, events keep no traceparent
// and log lines have no trace fields.
import { isSpanContextValid, trace } from "@opentelemetry/api";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { OPERATOR } from "../access/actor";
import { API_KEY_PERMISSIONS } from "../access/permissions";
import { createApiKey } from "../api-keys/create-api-key";
import { parseEnv } from "../config/env";
import { createMerchant } from "../merchants/create-merchant";
import { callApi } from "../testing/call-api";
import { createTestDatabase, type TestDatabase } from "../testing/database";

let database: TestDatabase;
let apiKey: string;
let tracing: typeof import("./tracing");
let processDb: typeof import("../db/client").db;

beforeAll(async () => {
  database = await createTestDatabase();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", ""); // empty = unset
  vi.resetModules();
  tracing = await import("./tracing");
  ({ db: processDb } = await import("../db/client"));
  const { merchantId } = await createMerchant(database.db, {
    name: "Untraced",
    email: "untraced@example.com",
    password: "password-123",
  });
  ({ apiKey } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId, name: "all", permissions: [...API_KEY_PERMISSIONS] },
  ));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await processDb?.().$disconnect();
  await database?.drop();
});

describe("tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("registers no SDK: the global tracer is the API's no-op one", () => {
    expect(tracing.startTracing({ role: "web" })).toBe(false);
    expect(tracing.activeTracer()).toBeUndefined();
    const span = trace.getTracer("probe").startSpan("probe");
    expect(span.isRecording()).toBe(false);
    expect(isSpanContextValid(span.spanContext())).toBe(false);
    span.end();
  });

  it("installs no query hook on a pool (the request path runs pg's own functions)", async () => {
    const { tracePool } = await import("./trace-db");
    const pool = new pg.Pool({ connectionString: database.databaseUrl });
    const query = pool.query;
    tracePool(pool);
    expect(pool.query).toBe(query);
    expect(pool.listenerCount("connect")).toBe(0);
    await pool.end();
  });

  it("answers with the random req_… Request-Id and stores no traceparent with the event", async () => {
    const created = await callApi("POST", "/api/v1/payments", {
      apiKey,
      body: { chain: "local", amount: "1" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("request-id")).toMatch(/^req_[A-Za-z0-9_-]{12}$/);
    const { id } = (await created.json()) as { id: string };
    const event = await database.db.event.findFirstOrThrow({ where: { objectId: id } });
    expect(event.traceParent).toBeNull();
  });

  it("writes the request's lines with its request id and merchant, and no trace fields", async () => {
    const { apiRoute } = await import("../http/api-route");
    const { createLogger } = await import("../logger");
    const lines: string[] = [];
    const route = apiRoute({
      logger: createLogger({}, { level: "info", write: (line) => lines.push(line) }),
      query: z.object({}),
      handler: async ({ logger }) => {
        logger.info("handled");
        return { body: {} };
      },
    });
    const response = await route(
      new Request("http://localhost/api/v1/things", { headers: { authorization: `Bearer ${apiKey}` } }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(200);
    const [line] = lines.map((text) => JSON.parse(text));
    expect(line).toMatchObject({ message: "handled", requestId: response.headers.get("request-id") });
    expect(line.merchantId).toMatch(/^mer_/);
    expect(line).not.toHaveProperty("trace_id");
    expect(line).not.toHaveProperty("span_id");
  });

  it("refuses an endpoint that is not an http(s) URL", () => {
    expect(() => parseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(
      parseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBe("http://collector:4318");
  });
});
