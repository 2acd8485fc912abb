// `npm run admin -- add-user`: with --password the member exists at once, without it an invitation
// link is printed; both recorded in the audit log as the operator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCredentials } from "../auth/verify-credentials";
import { createMerchant } from "../merchants/create-merchant";
import { acceptInvitation } from "../team/accept-invitation";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { runAdminCommand, UsageError } from "./run-admin-command";

let database: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  ({ merchantId } = await createMerchant(database.db, {
    name: "CLI shop",
    email: "owner@cli.test",
    password: "long enough pw",
  }));
});
afterAll(() => database?.drop());

const admin = (...argv: string[]) => runAdminCommand(database.db, argv);

describe("admin add-user", () => {
  it("with --password creates the member directly", async () => {
    const output = await admin(
      "add-user",
      "--merchant",
      merchantId,
      "--email",
      "Dev@CLI.test",
      "--role",
      "developer",
      "--password",
      "long enough pw",
    );
    expect(output).toEqual({
      user_id: expect.stringMatching(/^usr_/),
      email: "dev@cli.test",
      role: "developer",
    });
    expect(
      await verifyCredentials(database.db, { email: "dev@cli.test", password: "long enough pw" }),
    ).toMatchObject({
      merchantId,
    });
    const entry = await database.db.auditLogEntry.findFirstOrThrow({
      where: { merchantId, action: "member.added" },
    });
    expect(entry).toMatchObject({
      actorType: "operator",
      actorId: null,
      details: { email: "dev@cli.test", role: "developer" },
    });
  });

  it("without --password prints an invitation link that makes a member of that role", async () => {
    const output = (await admin(
      "add-user",
      "--merchant",
      merchantId,
      "--email",
      "ops@cli.test",
      "--role",
      "admin",
    )) as {
      invitation_id: string;
      invite_url: string;
      expires_at: string;
    };
    expect(output).toEqual({
      invitation_id: expect.stringMatching(/^inv_/),
      invite_url: expect.stringMatching(/\/invite\/[A-Za-z0-9_-]{43}$/),
      expires_at: expect.any(String),
    });
    const token = output.invite_url.split("/invite/")[1] ?? "";
    expect(
      await acceptInvitation({ token, name: "Ops", password: "long enough pw" }, { db: database.db }),
    ).toMatchObject({
      merchantId,
      role: "admin",
    });
    expect(
      await database.db.auditLogEntry.findFirstOrThrow({ where: { merchantId, action: "member.invited" } }),
    ).toMatchObject({ actorType: "operator", targetId: output.invitation_id });
  });

  it("refuses a bad role, a short password, an unknown merchant and a taken email clearly", async () => {
    await expect(
      admin("add-user", "--merchant", merchantId, "--email", "a@cli.test", "--role", "god"),
    ).rejects.toThrow(UsageError);
    await expect(
      admin(
        "add-user",
        "--merchant",
        merchantId,
        "--email",
        "a@cli.test",
        "--role",
        "viewer",
        "--password",
        "short",
      ),
    ).rejects.toThrow(/--password: Use at least 10 characters/);
    await expect(
      admin("add-user", "--merchant", "mer_nope", "--email", "a@cli.test", "--role", "viewer"),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(
      admin("add-user", "--merchant", merchantId, "--email", "owner@cli.test", "--role", "viewer"),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/already exists/) });
  });
});
