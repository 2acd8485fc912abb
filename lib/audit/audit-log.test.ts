// The audit log: sign-in attempts as next-auth's credentials provider records them (success and a
// wrong password on the account's merchant, unknown emails nowhere), and the table's append-only
// trigger (migration 20261204120000_access_control) refusing UPDATE, DELETE and TRUNCATE.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "@/lib/access/actor";
import { createApiKey } from "../api-keys/create-api-key";
import { createMerchant } from "../merchants/create-merchant";
import { pointProcessDbAt, signInWithCredentials as signIn } from "../testing/credentials-sign-in";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { auditActorLabel, auditActorLabels } from "./audit-actor-labels";
import { serializeAuditLogEntry } from "./audit-log-entry-object";
import { recordAuditEntry } from "./record-audit-entry";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  pointProcessDbAt(database);
});
afterAll(() => database?.drop());

describe("audit log", () => {
  it("records sign-ins and failed sign-ins on the account's merchant; unknown emails nowhere", async () => {
    const email = `signin-${Date.now()}@audit.test`;
    const { merchantId, userId } = await createMerchant(database.db, {
      name: "Audited",
      email,
      password: "correct horse battery",
    });
    expect(await signIn(email, "wrong password", "203.0.113.20")).toBeNull();
    expect(await signIn(email, "correct horse battery", "203.0.113.21")).toMatchObject({ email });
    const before = await database.db.auditLogEntry.count();
    expect(await signIn("nobody@audit.test", "whatever pw", "203.0.113.22")).toBeNull();
    expect(await database.db.auditLogEntry.count()).toBe(before);

    const entries = await database.db.auditLogEntry.findMany({
      where: { merchantId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    expect(
      entries.map((entry) => [
        entry.action,
        entry.actorType,
        entry.actorId,
        entry.targetId,
        entry.details,
        entry.clientAddress,
      ]),
    ).toEqual([
      ["user.sign_in_failed", "anonymous", null, userId, { email }, "203.0.113.20"],
      ["user.signed_in", "user", userId, userId, {}, "203.0.113.21"],
    ]);
  });

  it("is append-only: UPDATE, DELETE and TRUNCATE are refused by the database itself", async () => {
    const { merchantId } = await createMerchant(database.db, {
      name: "Append only",
      email: `append-${Date.now()}@audit.test`,
      password: "correct horse battery",
    });
    const { id } = await database.db.auditLogEntry.create({
      data: { id: "aud_appendonlytest00000000", merchantId, action: "user.signed_in", actorType: "system" },
    });
    for (const sql of [
      `UPDATE audit_log_entries SET action = 'forged' WHERE id = '${id}'`,
      `DELETE FROM audit_log_entries WHERE id = '${id}'`,
      "TRUNCATE audit_log_entries",
    ])
      await expect(database.db.$executeRawUnsafe(sql), sql).rejects.toThrow(/append-only/);
    expect(await database.db.auditLogEntry.findUnique({ where: { id } })).toMatchObject({
      action: "user.signed_in",
    });
  });

  it("names actors for the dashboard: a member by email, a key by name and hint, the operator, nobody", async () => {
    const { merchantId, userId, email } = await createMerchant(database.db, {
      name: "Labels",
      email: `labels-${Date.now()}@audit.test`,
      password: "correct horse battery",
    });
    const key = await createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "shop server" });
    await database.db.$transaction(async (tx) => {
      await recordAuditEntry(tx, {
        merchantId,
        actor: { type: "user", merchantId, userId, role: "owner" },
        action: "api_key.created",
      });
      await recordAuditEntry(tx, {
        merchantId,
        actor: { type: "api_key", merchantId, apiKeyId: key.id, permissions: [] },
        action: "payment.refunded",
      });
      await recordAuditEntry(tx, { merchantId, actor: { type: "operator" }, action: "member.added" });
      await recordAuditEntry(tx, { merchantId, actor: { type: "anonymous" }, action: "user.sign_in_failed" });
    });
    const entries = (
      await database.db.auditLogEntry.findMany({
        where: { merchantId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      })
    ).map(serializeAuditLogEntry);
    const labels = await auditActorLabels(database.db, merchantId, entries);
    expect(
      Object.fromEntries(entries.map((entry) => [entry.action, auditActorLabel(entry, labels)])),
    ).toEqual({
      "api_key.created": email,
      "payment.refunded": `API key “shop server” (sk_…${key.apiKey.slice(-4)})`,
      "member.added": "Operator (admin CLI)",
      "user.sign_in_failed": "Unknown (not signed in)",
    });
  });
});
