// Authorization matrix, generated from the OpenAPI operations so a new route is covered as soon as it
// is listed: merchant A's key against each of merchant B's real objects (404, nothing of B's in the
// answer, B's object unchanged), and a revoked, an unknown and a missing key on every route (401).
// Then the permissions, from the one table of lib/testing/authorization-table.ts (it must list every
// operation): a key holding exactly the permission an operation needs passes, a key holding every
// other permission gets 403 naming it, and the default key cannot touch money routing or approval.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_PERMISSIONS, ROLE_PERMISSIONS, type TRole } from "@/lib/access/permissions";
import { OPERATIONS, ZProblem } from "@/lib/openapi/build-openapi-document";
import { type ApiWorld, createApiWorld, operationUrl, routeHandlerOf } from "@/lib/testing/api-operations";
import {
  API_OPERATION_TABLE,
  operationKey,
  REFUSED_TO_DEFAULT_KEY,
  SERVER_ACTION_TABLE,
} from "@/lib/testing/authorization-table";

let world: ApiWorld;
beforeAll(async () => {
  world = await createApiWorld();
});
afterAll(async () => {
  await world?.close();
});

const PRIVATE = OPERATIONS.filter((operation) => !operation.public);
const WITH_ID = PRIVATE.filter((operation) => operation.idPrefix);
const name = (operation: (typeof OPERATIONS)[number]) =>
  `${operation.method.toUpperCase()} ${operation.path}`;

/** A body that passes validation, so only authorization can stop the request. */
function validBody(operation: (typeof OPERATIONS)[number]): string | undefined {
  if (!operation.body) return undefined;
  const example = operation.body.example as Record<string, unknown>;
  return JSON.stringify(example.url ? { ...example, url: world.receiver.url } : example);
}

async function call(operation: (typeof OPERATIONS)[number], authorization: string | undefined, id?: string) {
  const handler = await routeHandlerOf(operation.path, operation.method);
  const headers = new Headers({ "content-type": "application/json" });
  if (authorization) headers.set("authorization", authorization);
  const query = operation.path === "/api/v1/reconciliation" ? "chain=local" : "";
  return handler(
    new Request(operationUrl(operation.path, id, query), {
      method: operation.method.toUpperCase(),
      headers,
      body: validBody(operation),
    }),
    { params: Promise.resolve(id === undefined ? {} : { id }) },
  );
}

/** What identifies merchant B's data in an answer. */
function dataOfB(): string[] {
  return [
    ...Object.values(world.b.objectIds),
    world.b.merchantId,
    world.b.depositAddress,
    world.b.depositAddress.toLowerCase(),
  ];
}

/** Every GET of B's objects, as B sees them: compared before and after A's attempts. */
async function snapshotOfB(): Promise<string[]> {
  const snapshot: string[] = [];
  for (const operation of WITH_ID.filter((candidate) => candidate.method === "get")) {
    const id = operation.idPrefix ? world.b.objectIds[operation.idPrefix] : undefined;
    const response = await call(operation, `Bearer ${world.b.apiKey}`, id);
    expect(response.status, name(operation)).toBe(200);
    snapshot.push(await response.text());
  }
  return snapshot;
}

describe("authorization matrix", () => {
  it("has a real object of merchant B for every id prefix an operation takes", () => {
    const missing = WITH_ID.filter(
      (operation) => !(operation.idPrefix && world.b.objectIds[operation.idPrefix]),
    );
    expect(missing.map(name)).toEqual([]);
    expect(WITH_ID.length).toBeGreaterThanOrEqual(11);
  });

  it("answers merchant A's key on each of merchant B's objects with 404 and nothing of B's", async () => {
    const before = await snapshotOfB();
    for (const operation of WITH_ID) {
      const id = operation.idPrefix ? world.b.objectIds[operation.idPrefix] : undefined;
      const response = await call(operation, `Bearer ${world.a.apiKey}`, id);
      // The problem may repeat the id A sent; anything else of B's is a leak.
      const text = (await response.text()).replaceAll(id ?? "", "<requested id>");
      expect(response.status, name(operation)).toBe(404);
      expect(response.headers.get("content-type"), name(operation)).toBe("application/problem+json");
      expect(ZProblem.parse(JSON.parse(text)).code, name(operation)).toBe("not_found");
      for (const secret of dataOfB())
        expect(text, `${name(operation)} leaks ${secret}`).not.toContain(secret);
    }
    // A's POST/PATCH/DELETE attempts changed nothing of B's (no cancel, no delete, no rotation).
    expect(await snapshotOfB()).toEqual(before);
  });

  it("lists never show merchant B's objects to merchant A", async () => {
    for (const operation of PRIVATE.filter(
      (candidate) => candidate.method === "get" && !candidate.idPrefix,
    )) {
      const response = await call(operation, `Bearer ${world.a.apiKey}`);
      const text = await response.text();
      expect(response.status, name(operation)).toBe(200);
      for (const secret of dataOfB())
        expect(text, `${name(operation)} leaks ${secret}`).not.toContain(secret);
    }
  });

  it.each([
    ["a revoked key", () => `Bearer ${world.revokedKey}`],
    ["an unknown key", () => "Bearer sk_0000000000000000000000000000000000000000000"],
    ["no key", () => undefined],
    ["another scheme", () => `Basic ${Buffer.from(`${world.a.apiKey}:`).toString("base64")}`],
  ])("answers %s with 401 on every API route", async (_label, authorization) => {
    for (const operation of PRIVATE) {
      const id = operation.idPrefix ? world.a.objectIds[operation.idPrefix] : undefined;
      const response = await call(operation, authorization(), id);
      expect(response.status, name(operation)).toBe(401);
      expect(ZProblem.parse(await response.json()).code, name(operation)).toBe("unauthorized");
    }
  });

  it("still serves merchant A's own objects with its valid key (the matrix is not vacuous)", async () => {
    for (const operation of WITH_ID.filter((candidate) => candidate.method === "get")) {
      const id = operation.idPrefix ? world.a.objectIds[operation.idPrefix] : undefined;
      expect((await call(operation, `Bearer ${world.a.apiKey}`, id)).status, name(operation)).toBe(200);
    }
  });
});

describe("permissions matrix (lib/testing/authorization-table.ts)", () => {
  it("lists every private operation, with the permission OPERATIONS states", () => {
    expect(PRIVATE.map(operationKey).sort()).toEqual(Object.keys(API_OPERATION_TABLE).sort());
    for (const operation of PRIVATE)
      expect(operation.permission, name(operation)).toBe(
        API_OPERATION_TABLE[operationKey(operation)]?.permission,
      );
  });

  it("gives each role exactly the table's rows (the roles of ROLE_PERMISSIONS match the specification)", () => {
    const rows = [...Object.values(API_OPERATION_TABLE), ...Object.values(SERVER_ACTION_TABLE)];
    for (const row of rows) {
      // `member`: what every signed-in member may do to their own account (change the password).
      if (!row || row.permission === "member") continue;
      const permission = row.permission;
      const holders = (Object.keys(ROLE_PERMISSIONS) as TRole[]).filter((role) =>
        ROLE_PERMISSIONS[role].includes(permission),
      );
      expect(holders, permission).toEqual([...row.roles]);
    }
  });

  it("refuses a key lacking the operation's permission with 403 naming it, before anything else", async () => {
    for (const operation of PRIVATE) {
      const needed = API_OPERATION_TABLE[operationKey(operation)]?.permission;
      if (!needed) throw new Error(`${name(operation)} is not in the table`);
      const others = API_KEY_PERMISSIONS.filter((permission) => permission !== needed);
      const id = operation.idPrefix ? world.a.objectIds[operation.idPrefix] : undefined;
      const response = await call(operation, `Bearer ${await world.keyWith(others)}`, id);
      expect(response.status, name(operation)).toBe(403);
      expect(response.headers.get("content-type"), name(operation)).toBe("application/problem+json");
      const problem = ZProblem.parse(await response.json());
      expect(problem.code, name(operation)).toBe("forbidden");
      expect(problem.detail, name(operation)).toContain(needed);
      expect(problem.errors?.[0]?.message, name(operation)).toBe(needed);
    }
  });

  it("refuses the default key money routing and payout approval (403)", async () => {
    const defaultKey = await world.keyWith();
    for (const key of REFUSED_TO_DEFAULT_KEY) {
      const operation = PRIVATE.find((candidate) => operationKey(candidate) === key);
      if (!operation) throw new Error(`${key} is not an operation`);
      const id = operation.idPrefix ? world.a.objectIds[operation.idPrefix] : undefined;
      const response = await call(operation, `Bearer ${defaultKey}`, id);
      expect(response.status, key).toBe(403);
      expect(ZProblem.parse(await response.json()).detail, key).toContain(operation.permission);
    }
  });

  // Last: the allowed calls change A's objects (cancel, approve, delete).
  it("lets a key holding exactly the operation's permission through (not 403)", async () => {
    for (const operation of PRIVATE) {
      const needed = API_OPERATION_TABLE[operationKey(operation)]?.permission;
      if (!needed) throw new Error(`${name(operation)} is not in the table`);
      const id = operation.idPrefix ? world.a.objectIds[operation.idPrefix] : undefined;
      const response = await call(operation, `Bearer ${await world.keyWith([needed])}`, id);
      expect(response.status, `${name(operation)}: ${await response.text()}`).not.toBe(403);
      expect(response.status, name(operation)).toBeLessThan(500);
    }
  });
});
