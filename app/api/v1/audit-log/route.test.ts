// GET /api/v1/audit-log through the real route handler on a real database: only the key's merchant's
// entries, newest first, cursor pages, filters, the response schema, and 403 without audit:read.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { DEFAULT_API_KEY_PERMISSIONS } from "@/lib/access/permissions";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { ZAuditLogEntryObject } from "@/lib/audit/audit-log-entry-object";
import { recordAuditEntry } from "@/lib/audit/record-audit-entry";
import { createMerchant } from "@/lib/merchants/create-merchant";
import { ZProblem } from "@/lib/openapi/build-openapi-document";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { disconnectProcessDb } from "@/lib/testing/process-db";

let database: TestDatabase;
let route: typeof import("./route");
let keyA: string;
let keyB: string;
let keyWithoutAudit: string;
let merchantA: string;
let merchantB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.databaseUrl;
  vi.resetModules();
  route = await import("./route");
  const a = await createMerchant(database.db, { name: "A", email: "a@audit.test", password: "pw" });
  const b = await createMerchant(database.db, { name: "B", email: "b@audit.test", password: "pw" });
  merchantA = a.merchantId;
  merchantB = b.merchantId;
  const permissions = [...DEFAULT_API_KEY_PERMISSIONS];
  ({ apiKey: keyA } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: merchantA, name: "a", permissions },
  ));
  ({ apiKey: keyB } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    { merchantId: merchantB, name: "b", permissions },
  ));
  ({ apiKey: keyWithoutAudit } = await createApiKey(
    { db: database.db, actor: OPERATOR },
    {
      merchantId: merchantA,
      name: "no audit",
      permissions: DEFAULT_API_KEY_PERMISSIONS.filter((permission) => permission !== "audit:read"),
    },
  ));
  await database.db.$transaction(async (tx) => {
    for (let i = 0; i < 5; i++)
      await recordAuditEntry(tx, {
        merchantId: merchantA,
        actor: { type: "user", merchantId: merchantA, userId: a.userId, role: "owner" },
        action: i % 2 === 0 ? "member.invited" : "member.invitation_revoked",
        targetId: `inv_${i}`,
        details: { email: `m${i}@audit.test` },
        origin: { clientAddress: "203.0.113.9", requestId: `req_${i}` },
      });
    await recordAuditEntry(tx, { merchantId: merchantA, actor: OPERATOR, action: "member.added" });
    await recordAuditEntry(tx, {
      merchantId: merchantB,
      actor: { type: "anonymous" },
      action: "user.sign_in_failed",
      details: { email: "b@audit.test" },
    });
  });
});
afterAll(async () => {
  await disconnectProcessDb();
  await database.drop();
});

async function list(query: string, apiKey = keyA) {
  const response = await route.GET(
    new Request(`http://localhost/api/v1/audit-log${query}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, body: await response.json() };
}

describe("GET /api/v1/audit-log", () => {
  it("lists only the key's merchant's entries, newest first, in the documented shape", async () => {
    const { status, body } = await list("");
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: "list", has_more: false, next_cursor: null });
    // The five member entries, the operator's, and the creation of A's two keys (api_key.created).
    expect(body.data).toHaveLength(8);
    for (const entry of body.data) ZAuditLogEntryObject.parse(entry);
    const invited = body.data.find((entry: { target_id: string }) => entry.target_id === "inv_0");
    expect(invited).toMatchObject({
      object: "audit_log_entry",
      action: "member.invited",
      actor: { type: "user", id: expect.stringMatching(/^usr_/) },
      details: { email: "m0@audit.test" },
      client_address: "203.0.113.9",
      request_id: "req_0",
    });
    const times = body.data.map((entry: { created_at: string }) => entry.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(JSON.stringify(body)).not.toContain("b@audit.test");

    const b = await list("", keyB);
    expect(b.body.data.map((entry: { action: string }) => entry.action)).toEqual([
      "user.sign_in_failed",
      "api_key.created",
    ]);
    expect(b.body.data[0].actor).toEqual({ type: "anonymous", id: null });
  });

  it("pages with starting_after through every entry exactly once", async () => {
    const all = (await list("")).body.data.map((entry: { id: string }) => entry.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body } = await list(`?limit=2${cursor ? `&starting_after=${cursor}` : ""}`);
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((entry: { id: string }) => entry.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    // Another merchant's entry is no cursor for A.
    const bEntry = (await list("", keyB)).body.data[0].id;
    expect((await list(`?starting_after=${bEntry}`)).status).toBe(422);
  });

  it("filters by action, actor and time", async () => {
    const revoked = await list("?action=member.invitation_revoked");
    expect(revoked.body.data.map((entry: { target_id: string }) => entry.target_id).sort()).toEqual([
      "inv_1",
      "inv_3",
    ]);
    const byUser = await list(`?actor_id=${revoked.body.data[0].actor.id}`);
    expect(byUser.body.data).toHaveLength(5);
    expect((await list("?created[gte]=2999-01-01T00:00:00Z")).body.data).toEqual([]);
    expect((await list("?created[lte]=2999-01-01T00:00:00Z")).body.data).toHaveLength(8);
    expect((await list("?action=nope")).status).toBe(422);
  });

  it("answers a key without audit:read with 403 naming the permission", async () => {
    const { status, body } = await list("", keyWithoutAudit);
    expect(status).toBe(403);
    expect(ZProblem.parse(body)).toMatchObject({
      code: "forbidden",
      detail: expect.stringContaining("audit:read"),
    });
  });
});
