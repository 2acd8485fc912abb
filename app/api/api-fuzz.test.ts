// Property-based fuzzing of every operation in the OpenAPI document (plus the public checkout status
// and the catch-all of unknown API paths), through the real route handlers on a real database:
// random and real-looking ids, query strings and bodies derived from the schemas, wrong content
// types, oversized bodies, with a valid API key and without one. Never a 5xx; every 4xx is a
// problem+json whose `code` is in the closed enum and matches the status.
// FUZZ_RUNS (default 10,000) is the total number of requests, split evenly across operations.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { ERROR_CODES, type ErrorCode } from "@/lib/errors";
import type { IdPrefix } from "@/lib/ids";
import {
  buildOpenApiDocument,
  type JsonSchema,
  OPERATIONS,
  ZProblem,
} from "@/lib/openapi/build-openapi-document";
import { type ApiWorld, createApiWorld, operationUrl, routeHandlerOf } from "@/lib/testing/api-operations";
import {
  anyJson,
  arbitraryFromSchema,
  NASTY_STRINGS,
  type SchemaHints,
} from "@/lib/testing/json-schema-arbitrary";
import { findSecrets, type SecretTerms, walletSecretTermsOf } from "@/lib/testing/secret-scan";

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/**
 * Printed with the results: FUZZ_SEED=<seed> regenerates the same requests (ids taken from earlier
 * answers may differ, as answers arrive concurrently).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

type FuzzTarget = {
  name: string;
  method: string;
  path: string;
  idPrefix?: IdPrefix;
  public: boolean;
  bodySchema?: JsonSchema;
  querySchema?: JsonSchema;
};

const document = buildOpenApiDocument({ serverUrl: "http://localhost" });
const components = document.components.schemas as Record<string, JsonSchema>;

const TARGETS: FuzzTarget[] = [
  ...OPERATIONS.map((operation): FuzzTarget => {
    const documented = document.paths[operation.path]?.[operation.method];
    const queryParameters = documented?.parameters.filter((parameter) => parameter.in === "query") ?? [];
    return {
      name: `${operation.method.toUpperCase()} ${operation.path}`,
      method: operation.method,
      path: operation.path,
      idPrefix: operation.idPrefix,
      public: operation.public === true,
      bodySchema: documented?.requestBody?.content["application/json"]?.schema,
      querySchema: queryParameters.length
        ? {
            type: "object" as const,
            properties: Object.fromEntries(
              queryParameters.map((parameter) => [parameter.name, parameter.schema]),
            ),
          }
        : undefined,
    };
  }),
  // Public, not part of the integrator API document: polled by the checkout page.
  {
    name: "GET /api/checkout/{id}",
    method: "get",
    path: "/api/checkout/{id}",
    idPrefix: "pay",
    public: true,
  },
];

let world: ApiWorld;
/** The mnemonic the routes read and the keys derived from it for the world's merchants. */
let secretTerms: SecretTerms;
const handlers = new Map<string, Awaited<ReturnType<typeof routeHandlerOf>>>();
let catchAll: Awaited<ReturnType<typeof routeHandlerOf>>;

beforeAll(async () => {
  world = await createApiWorld({
    API_RATE_LIMIT_PER_SECOND: "1000000",
    API_RATE_LIMIT_BURST: "1000000",
    // Every log line is scanned for secrets: log everything.
    LOG_LEVEL: "debug",
  });
  for (const [prefix, id] of Object.entries(world.a.objectIds)) knownIds.set(prefix, [id]);
  secretTerms = await walletSecretTermsOf(world.database.db, parseEnv().WALLET_MNEMONIC);
  for (const target of TARGETS) handlers.set(target.name, await routeHandlerOf(target.path, target.method));
  catchAll = await routeHandlerOf("/api/v1/{...path}", "get");
});
afterAll(async () => {
  await world?.close();
});

type AuthChoice = "valid" | "none" | "revoked" | "garbage" | "other_merchant";
type FuzzRequest = {
  auth: AuthChoice;
  id: string;
  query: string;
  body: string | undefined;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  forwardedFor: string;
};

/** Ids seen so far, by prefix: the world's objects and every id a 2xx answer returned. */
const knownIds = new Map<string, string[]>();
function rememberIds(value: unknown) {
  if (Array.isArray(value)) for (const item of value) rememberIds(item);
  else if (value && typeof value === "object") {
    const { id } = value as { id?: unknown };
    if (typeof id === "string" && /^[a-z]+_/.test(id)) {
      const prefix = id.slice(0, id.indexOf("_"));
      const ids = knownIds.get(prefix) ?? [];
      if (!ids.includes(id) && ids.length < 500) ids.push(id);
      knownIds.set(prefix, ids);
    }
    for (const entry of Object.values(value)) if (entry && typeof entry === "object") rememberIds(entry);
  }
}
/** One of the known ids of this prefix (or of any prefix), picked at generation time. */
function knownId(prefix?: string): fc.Arbitrary<string> {
  return fc.nat().map((index) => {
    const pool = prefix ? (knownIds.get(prefix) ?? []) : [...knownIds.values()].flat();
    return pool.length ? (pool[index % pool.length] ?? "") : "";
  });
}

function hints(): SchemaHints {
  const ids = [world.a.objectIds, world.b.objectIds].flatMap((ids) => Object.values(ids));
  return {
    components,
    byName: {
      chain: ["local"],
      token: ["USDC", "ETH", null],
      amount: ["1", "12.5", "0.000001", "1000000"],
      address: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"],
      starting_after: ids,
      object_id: ids,
      event: ids,
      endpoint: ids,
    },
    urls: [world.receiver.url, "https://shop.example/thanks"],
  };
}
function hostileHints(): SchemaHints {
  const base = hints();
  return {
    ...base,
    byName: {
      ...base.byName,
      chain: ["local", "LOCAL", "mainnet"],
      token: ["USDC", "ETH", "usdc", "DAI", null],
      amount: ["0.0000001", "0", "-5", "1e3", "1000000000000000000000000000000", "0x10"],
      address: [
        "0x0000000000000000000000000000000000000000",
        "0x1234",
        "0xZZ97970C51812dc3A010C7d01b50e0d17dc79C8",
      ],
    },
    urls: [
      ...(base.urls ?? []),
      "http://127.0.0.1:1/refused",
      "javascript:alert(1)",
      "ftp://example.com/x",
      "http://",
      "http://[::1]:0/",
      `https://example.com/${"a".repeat(2100)}`,
    ],
  };
}

const ALPHANUMERIC = fc.constantFrom(..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
const HEADER_SAFE = fc.stringMatching(/^[\x21-\x7e]{0,300}$/);

function requestArbitrary(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const others = Object.values(world.b.objectIds);
  const prefix = target.idPrefix ?? "pay";
  const idArbitrary = fc.oneof(
    { weight: 4, arbitrary: knownId(prefix) },
    { weight: 1, arbitrary: knownId() },
    { weight: 2, arbitrary: fc.constantFrom(...others) },
    {
      weight: 3,
      arbitrary: fc
        .string({ unit: ALPHANUMERIC, minLength: 22, maxLength: 22 })
        .map((body) => `${prefix}_${body}`),
    },
    {
      weight: 1,
      arbitrary: fc.string({ unit: ALPHANUMERIC, maxLength: 30 }).map((body) => `${prefix}_${body}`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  );
  const h = hostileHints();
  const gentle = { ...hints(), hostile: false };
  const queryArbitrary = fc.oneof(
    {
      weight: 3,
      arbitrary: target.querySchema
        ? arbitraryFromSchema(target.querySchema, gentle).map(toQueryString)
        : fc.constant(""),
    },
    {
      weight: 3,
      arbitrary: target.querySchema
        ? arbitraryFromSchema(target.querySchema, h).map(toQueryString)
        : fc.constant(""),
    },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })).map(toQueryString),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[\x21-\x7e]{0,60}$/).map((raw) => raw.replace(/#/g, "")) },
  );
  const schemaBody = (hostile: boolean) =>
    target.bodySchema
      ? arbitraryFromSchema(target.bodySchema, hostile ? h : gentle).map(
          (value) => JSON.stringify(value) ?? "null",
        )
      : anyJson.map((value) => JSON.stringify(value) ?? "null");
  const bodyArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
    { weight: 4, arbitrary: schemaBody(false) },
    { weight: 4, arbitrary: schemaBody(true) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? "null") },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    // Over the 64 KiB limit, as valid JSON and as a stream without a length the server trusts.
    {
      weight: 1,
      arbitrary: fc.constant(JSON.stringify({ chain: "local", description: "x".repeat(70_000) })),
    },
  );
  return fc.record({
    auth: fc.oneof(
      { weight: 12, arbitrary: fc.constant<AuthChoice>("valid") },
      { weight: 1, arbitrary: fc.constantFrom<AuthChoice>("none", "revoked", "garbage", "other_merchant") },
    ),
    id: idArbitrary,
    query: queryArbitrary,
    body: bodyArbitrary,
    contentType: fc.oneof(
      { weight: 10, arbitrary: fc.constant("application/json") },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          undefined,
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/merge-patch+json",
          "multipart/form-data; boundary=x",
          "application/jsonx",
        ),
      },
    ),
    idempotencyKey: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: HEADER_SAFE },
      { weight: 1, arbitrary: fc.constantFrom("same-key-1", "same-key-2") },
    ),
    forwardedFor: fc.ipV4(),
  });
}

function toQueryString(value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return String(value ?? "");
  const search = new URLSearchParams();
  // Objects (a null-prototype one has no toString) go in as JSON, like a client serialising them.
  const text = (item: unknown) =>
    typeof item === "object" && item !== null ? JSON.stringify(item) : String(item);
  for (const [key, entry] of Object.entries(value)) {
    if (Array.isArray(entry)) for (const item of entry) search.append(key, text(item));
    else search.append(key, text(entry));
  }
  return search.toString();
}

function authorization(choice: AuthChoice): string | undefined {
  switch (choice) {
    case "valid":
      return `Bearer ${world.a.apiKey}`;
    case "other_merchant":
      return `Bearer ${world.b.apiKey}`;
    case "revoked":
      return `Bearer ${world.revokedKey}`;
    case "garbage":
      return "Bearer sk_notarealkey";
    case "none":
      return undefined;
  }
}

function buildRequest(target: FuzzTarget, fuzz: FuzzRequest): Request {
  const headers = new Headers({ "x-forwarded-for": fuzz.forwardedFor });
  const auth = authorization(fuzz.auth);
  if (auth) headers.set("authorization", auth);
  if (fuzz.contentType) headers.set("content-type", fuzz.contentType);
  if (fuzz.idempotencyKey !== undefined) headers.set("idempotency-key", fuzz.idempotencyKey);
  const method = target.method.toUpperCase();
  const hasBody = method !== "GET" && fuzz.body !== undefined;
  return new Request(operationUrl(target.path, target.idPrefix ? fuzz.id : undefined, fuzz.query), {
    method,
    headers,
    body: hasBody ? fuzz.body : undefined,
  });
}

/** Requests in flight at once, as from several clients. */
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 4);
const LONE_SURROGATE = /[\ud800-\udfff]/g;

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** The only answers allowed to show a webhook secret (once, to the merchant creating it). */
const SECRET_SHOWING = new Set([
  "POST /api/v1/webhook-endpoints",
  "POST /api/v1/webhook-endpoints/{id}/rotate-secret",
]);

type Failure = { target: string; status: number; problem: string; request: unknown };
const failures: Failure[] = [];
const statusCounts = new Map<string, Map<number, number>>();
let requests = 0;

async function check(
  target: string,
  response: Response,
  fuzz: unknown,
  isPublic: boolean,
  auth?: AuthChoice,
) {
  requests++;
  const counts = statusCounts.get(target) ?? new Map<number, number>();
  counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
  statusCounts.set(target, counts);
  const text = await response.text();
  if (response.status < 300 && auth === "valid") rememberIds(JSON.parse(text));
  const fail = (problem: string) => {
    if (failures.length < 50) failures.push({ target, status: response.status, problem, request: fuzz });
  };
  const showsSecret = response.status < 300 && SECRET_SHOWING.has(target);
  const [secret] = findSecrets(text, secretTerms, { allow: showsSecret ? ["webhook secret"] : [] });
  if (secret) return fail(`answer holds a ${secret.kind}`);
  const contentType = response.headers.get("content-type") ?? "";
  if (response.status >= 500 && !(target === "GET /api/health" && response.status === 503))
    return fail(`server error: ${text.slice(0, 300)}`);
  if (response.status >= 400) {
    if (contentType !== "application/problem+json") return fail(`4xx with content-type ${contentType}`);
    const problem = ZProblem.safeParse(JSON.parse(text));
    if (!problem.success) return fail(`not a problem: ${text.slice(0, 300)}`);
    if (ERROR_CODES[problem.data.code as ErrorCode] !== response.status)
      return fail(`code ${problem.data.code} with status ${response.status}`);
  } else {
    if (!contentType.startsWith("application/json")) return fail(`2xx with content-type ${contentType}`);
    JSON.parse(text);
  }
  if (!isPublic && auth && auth !== "valid" && auth !== "other_merchant" && response.status !== 401)
    return fail(`${auth} credentials answered ${response.status}`);
}

describe("fuzzing every public endpoint", () => {
  it("recognises the world's secrets (the scanner itself: lib/testing/secret-scan.test.ts)", () => {
    expect(findSecrets(`{"k":"${world.a.apiKey}"}`, secretTerms).map(({ kind }) => kind)).toEqual([
      "API key",
    ]);
    // gas tank, and each merchant's hot wallet and deposit keys
    expect(secretTerms.privateKeys.size).toBeGreaterThanOrEqual(5);
    expect(findSecrets(JSON.stringify(world.a.objectIds), secretTerms)).toEqual([]);
  });

  it(`answers ${TOTAL_RUNS} hostile requests without a 5xx, every 4xx a problem+json`, async () => {
    // Every log line written meanwhile is scanned for secrets too.
    const logLines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      logLines.push(String(chunk));
      return true;
    });
    const started = Date.now();
    const runsPerTarget = Math.ceil(TOTAL_RUNS / (TARGETS.length + 1));
    // Deletions last, so the operations on live endpoints (rotate, test, patch) still find some.
    const ordered = [...TARGETS].sort(
      (a, b) => Number(a.method === "delete") - Number(b.method === "delete"),
    );
    for (const [index, target] of ordered.entries()) {
      const handler = handlers.get(target.name);
      if (!handler) throw new Error(`no handler for ${target.name}`);
      const samples = fc.sample(requestArbitrary(target), { numRuns: runsPerTarget, seed: SEED + index });
      await inParallel(samples, async (fuzz) => {
        const response = await handler(buildRequest(target, fuzz), {
          params: Promise.resolve(target.idPrefix ? { id: fuzz.id } : {}),
        });
        await check(
          target.name,
          response,
          { ...fuzz, body: fuzz.body?.slice(0, 500) },
          target.public,
          fuzz.auth,
        );
      });
    }
    // Unknown paths under /api/v1 answer in the API's format too.
    const unknownPaths = fc.sample(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }), {
      numRuns: runsPerTarget,
      seed: SEED,
    });
    await inParallel(unknownPaths, async (segments) => {
      const path = segments
        .map((segment) => encodeURIComponent(segment.replace(LONE_SURROGATE, "")))
        .join("/");
      const response = await catchAll(new Request(`http://localhost/api/v1/${path}`), {
        params: Promise.resolve({ path: segments }),
      });
      await check("* /api/v1/[...path]", response, segments, true);
    });

    const seconds = (Date.now() - started) / 1000;
    const summary = [...statusCounts].map(
      ([target, counts]) =>
        `${target.padEnd(48)} ${[...counts]
          .sort(([a], [b]) => a - b)
          .map(([status, count]) => `${status}×${count}`)
          .join(" ")}`,
    );
    console.log(
      `fuzz (FUZZ_SEED=${SEED}): ${requests} requests over ${statusCounts.size} endpoints in ${seconds.toFixed(1)} s ` +
        `(${(requests / seconds).toFixed(0)}/s), ${failures.length} failures\n${summary.join("\n")}`,
    );
    vi.restoreAllMocks();
    const leakedLogs = findSecrets(logLines.join(""), secretTerms);
    console.log(`fuzz: ${logLines.length} log lines scanned for secrets, ${leakedLogs.length} found`);
    expect(leakedLogs, "secrets in the logs").toEqual([]);
    expect(failures, `replay with FUZZ_SEED=${SEED}`).toEqual([]);
    expect(requests).toBeGreaterThanOrEqual(TOTAL_RUNS);
  }, 240_000); // correctness, not speed: on a loaded 2-core machine 10,000 requests can take minutes
});
