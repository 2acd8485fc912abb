// Regression tests for the defects the API fuzz (api-fuzz.test.ts) found, through the real routes.
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZProblem } from "@/lib/openapi/build-openapi-document";
import { type ApiWorld, createApiWorld, operationUrl, routeHandlerOf } from "@/lib/testing/api-operations";

let world: ApiWorld;
beforeAll(async () => {
  // A second token whose address holds no contract, as after a chains.yaml typo.
  world = await createApiWorld(
    {},
    { extraTokens: [{ symbol: "GHOST", address: privateKeyToAddress(generatePrivateKey()), decimals: 6 }] },
  );
});
afterAll(async () => {
  await world?.close();
});

async function call(method: string, path: string, options: { query?: string; body?: unknown } = {}) {
  const handler = await routeHandlerOf(path, method);
  const response = await handler(
    new Request(operationUrl(path, undefined, options.query), {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${world.a.apiKey}`, "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { params: Promise.resolve({}) },
  );
  const problem = response.status >= 400 ? ZProblem.parse(await response.json()) : undefined;
  return { response, problem };
}

describe("NUL characters (PostgreSQL text refuses them: was a 500)", () => {
  it.each([
    ["get", "/api/v1/webhook-endpoints", "starting_after=%00"],
    ["get", "/api/v1/payments", "order_id=a%00b"],
    ["get", "/api/v1/events", "object_id=%00"],
    ["get", "/api/v1/webhook-deliveries", "starting_after=we_%00"],
  ])("%s %s?%s is a 422", async (method, path, query) => {
    const { response, problem } = await call(method, path, { query });
    expect(response.status).toBe(422);
    expect(problem?.code).toBe("validation_failed");
  });

  it.each([
    ["order_id", { chain: "local", amount: "1", order_id: "a\u0000b" }],
    ["description", { chain: "local", amount: "1", description: "\u0000" }],
    ["metadata.a\u0000", { chain: "local", amount: "1", metadata: { "a\u0000": "x" } }],
    ["metadata.k", { chain: "local", amount: "1", metadata: { k: "v\u0000" } }],
  ])("POST /api/v1/payments with NUL in %s is a 422 naming the field", async (path, body) => {
    const { response, problem } = await call("post", "/api/v1/payments", { body });
    expect(response.status).toBe(422);
    expect(problem?.errors?.map((error) => error.path)).toEqual([path]);
  });

  it("POST /api/v1/webhook-endpoints with NUL in the description is a 422", async () => {
    const { response } = await call("post", "/api/v1/webhook-endpoints", {
      body: { url: world.receiver.url, description: "x\u0000" },
    });
    expect(response.status).toBe(422);
  });
});

describe("chain reads that fail (was a 500)", () => {
  it("reconciliation of a chain whose token address holds no contract is a 503 with Retry-After", async () => {
    const created = await call("post", "/api/v1/payments", {
      body: { chain: "local", token: "GHOST", amount: "1" },
    });
    expect(created.response.status).toBe(201);
    const { response, problem } = await call("get", "/api/v1/reconciliation", { query: "chain=local" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(problem?.code).toBe("service_unavailable");
  });
});
