// The route wrapper on a real database: what happens when a client hangs up halfway through its body.

import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { OPERATOR } from "../access/actor";
import { createApiKey } from "../api-keys/create-api-key";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";

let database: TestDatabase;
let apiKey: string;
// Imported once DATABASE_URL is set: the wrapper uses the process-wide client, as in the app, and
// the environment is read once per process.
let apiRoute: typeof import("./api-route").apiRoute;
let createLogger: typeof import("../logger").createLogger;
let processDb: typeof import("../db/client").db;
beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  ({ apiRoute } = await import("./api-route"));
  ({ createLogger } = await import("../logger"));
  ({ db: processDb } = await import("../db/client"));
  const { merchantId } = await createMerchant(database.db, {
    name: "Wrapper",
    email: "wrapper@example.com",
    password: "pw",
  });
  ({ apiKey } = await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "wrapper" }));
});
afterAll(async () => {
  await processDb().$disconnect();
  await database.drop();
});

const routeContext = { params: Promise.resolve({}) };

/** A logger writing into an array: the wrapper's lines, parsed, as a route given it writes them. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({}, { level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines, errors: () => lines.filter((line) => line.level === "error") };
}

describe("apiRoute", () => {
  it("answers a request whose client hung up mid-body with a 4xx, not a logged 500", async () => {
    const { logger, lines, errors } = capturedLogger();
    const route = apiRoute({
      logger,
      body: z.object({ amount: z.string() }),
      handler: async ({ body }) => ({ status: 201, body }),
    });
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new TextEncoder().encode('{"amount":'));
      },
      pull(stream) {
        // What Node's request stream does when the socket closes before the body is complete.
        controller.abort();
        stream.error(new Error("aborted"));
      },
    });
    const request = new Request("http://localhost/api/v1/things", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body,
      duplex: "half",
      signal: controller.signal,
    } as RequestInit);

    const response = await route(request, routeContext);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(errors()).toEqual([]);
    // Logged at info, on the request's child logger: its request id and merchant.
    expect(lines).toEqual([
      expect.objectContaining({
        level: "info",
        message: "client closed the request",
        requestId: response.headers.get("request-id"),
        merchantId: expect.stringMatching(/^mer_/),
      }),
    ]);
  });

  it("still renders an unexpected failure as a logged, generic 500", async () => {
    const { logger, errors } = capturedLogger();
    const failing = apiRoute({
      logger,
      handler: async () => {
        throw new Error("database exploded: secret detail");
      },
    });
    const response = await failing(
      new Request("http://localhost/api/v1/things", { headers: { authorization: `Bearer ${apiKey}` } }),
      routeContext,
    );
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("secret detail");
    expect(errors()).toEqual([
      expect.objectContaining({
        message: "unhandled error in API route",
        requestId: response.headers.get("request-id"),
        merchantId: expect.stringMatching(/^mer_/),
        error: expect.objectContaining({ message: "database exploded: secret detail" }),
      }),
    ]);
  });

  // Found by the API fuzz (app/api/api-fuzz.test.ts): a chain read failing inside a route was a 500.
  it("answers a chain node that does not answer with 503 problem+json and Retry-After, not a 500", async () => {
    const { logger, errors } = capturedLogger();
    const route = apiRoute({
      logger,
      handler: async () => {
        // Nothing listens on port 1: a real connection refusal, as when the RPC node is down.
        const client = createPublicClient({ transport: http("http://127.0.0.1:1", { retryCount: 0 }) });
        return { body: { head: String(await client.getBlockNumber()) } };
      },
    });
    const response = await route(
      new Request("http://localhost/api/v1/things", { headers: { authorization: `Bearer ${apiKey}` } }),
      routeContext,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("5");
    const problem = await response.json();
    expect(problem.code).toBe("service_unavailable");
    expect(JSON.stringify(problem)).not.toContain("127.0.0.1");
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatchObject({ requestId: response.headers.get("request-id") });
  });
});
