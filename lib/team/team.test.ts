// The team: invitations (single use, expiring, revocable), roles, removal, and the rule that a
// merchant always keeps an owner, on a real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, OPERATOR, userActor } from "../access/actor";
import { verifyCredentials } from "../auth/verify-credentials";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { acceptInvitation, findInvitationByToken } from "./accept-invitation";
import { createInvitation, INVITATION_TTL_MS, listPendingInvitations, revokeInvitation } from "./invitations";
import { addMember, changeMemberRole, listMembers, removeMember } from "./members";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

const PASSWORD = "long enough pw";
let counter = 0;
const unique = (label: string) => `${label}-${Date.now()}-${++counter}@team.test`;

async function merchantWithOwner() {
  const created = await createMerchant(database.db, {
    name: "Team shop",
    email: unique("owner"),
    password: PASSWORD,
  });
  const owner = userActor({ merchantId: created.merchantId, userId: created.userId, role: "owner" });
  return { merchantId: created.merchantId, ownerId: created.userId, owner, deps: deps(owner) };
}

function deps(actor: Actor) {
  return {
    db: database.db,
    actor,
    baseUrl: "https://pay.example",
    origin: { clientAddress: "203.0.113.5", requestId: "req_t" },
  };
}

const tokenOf = (url: string) => url.split("/invite/")[1] ?? "";

async function audit(merchantId: string) {
  return database.db.auditLogEntry.findMany({
    where: { merchantId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

describe("team invitations", () => {
  it("invite → accept: the member exists with the role, can sign in, and the token is single use", async () => {
    const shop = await merchantWithOwner();
    const email = unique("admin");
    const invitation = await createInvitation(shop.deps, shop.merchantId, { email, role: "admin" });
    expect(invitation.url).toMatch(/^https:\/\/pay\.example\/invite\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(invitation.url);
    // Only the hash is stored.
    const row = await database.db.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(INVITATION_TTL_MS);
    expect(await listPendingInvitations(shop.deps, shop.merchantId)).toEqual([
      expect.objectContaining({ id: invitation.id, email, role: "admin" }),
    ]);
    expect(await findInvitationByToken(token, { db: database.db })).toMatchObject({
      email,
      role: "admin",
      merchantName: "Team shop",
    });

    const joined = await acceptInvitation(
      { token, name: "Ada", password: PASSWORD },
      { db: database.db, origin: { clientAddress: "198.51.100.1" } },
    );
    expect(joined).toMatchObject({ merchantId: shop.merchantId, email, role: "admin" });
    expect(await verifyCredentials(database.db, { email, password: PASSWORD })).toMatchObject({
      userId: joined.userId,
      merchantId: shop.merchantId,
    });
    expect(
      (await listMembers(shop.deps, shop.merchantId)).map((member) => [member.email, member.role]),
    ).toEqual([
      [expect.stringMatching(/^owner-/), "owner"],
      [email, "admin"],
    ]);

    await expect(
      acceptInvitation({ token, name: "Eve", password: PASSWORD }, { db: database.db }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await findInvitationByToken(token, { db: database.db })).toBeNull();
    expect(await listPendingInvitations(shop.deps, shop.merchantId)).toEqual([]);

    expect(
      (await audit(shop.merchantId)).map((entry) => [
        entry.action,
        entry.actorType,
        entry.actorId,
        entry.targetId,
        entry.details,
        entry.clientAddress,
      ]),
    ).toEqual([
      ["member.invited", "user", shop.ownerId, invitation.id, { email, role: "admin" }, "203.0.113.5"],
      [
        "member.joined",
        "user",
        joined.userId,
        joined.userId,
        { email, role: "admin", invitation_id: invitation.id },
        "198.51.100.1",
      ],
    ]);
  });

  it("two acceptances of one link at the same time: exactly one member is created", async () => {
    const shop = await merchantWithOwner();
    const { url } = await createInvitation(shop.deps, shop.merchantId, {
      email: unique("race"),
      role: "viewer",
    });
    const results = await Promise.allSettled(
      [1, 2, 3].map(() =>
        acceptInvitation({ token: tokenOf(url), name: "R", password: PASSWORD }, { db: database.db }),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await database.db.user.count({ where: { merchantId: shop.merchantId } })).toBe(2);
  });

  it("refuses an expired, a revoked and a made-up link", async () => {
    const shop = await merchantWithOwner();
    const longAgo = new Date(Date.now() - INVITATION_TTL_MS - 1_000);
    const expired = await createInvitation(
      shop.deps,
      shop.merchantId,
      { email: unique("late"), role: "viewer" },
      longAgo,
    );
    expect(await findInvitationByToken(tokenOf(expired.url), { db: database.db })).toBeNull();
    await expect(
      acceptInvitation({ token: tokenOf(expired.url), name: "L", password: PASSWORD }, { db: database.db }),
    ).rejects.toMatchObject({
      code: "not_found",
      message: expect.stringMatching(/expired/),
    });

    const revoked = await createInvitation(shop.deps, shop.merchantId, {
      email: unique("revoked"),
      role: "developer",
    });
    await revokeInvitation(shop.deps, shop.merchantId, revoked.id);
    await expect(
      acceptInvitation({ token: tokenOf(revoked.url), name: "R", password: PASSWORD }, { db: database.db }),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeInvitation(shop.deps, shop.merchantId, revoked.id)).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      acceptInvitation({ token: "x".repeat(43), name: "X", password: PASSWORD }, { db: database.db }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await database.db.user.count({ where: { merchantId: shop.merchantId } })).toBe(1);
    expect((await audit(shop.merchantId)).map((entry) => entry.action)).toEqual([
      "member.invited",
      "member.invited",
      "member.invitation_revoked",
    ]);
  });

  it("refuses an email that has an account anywhere, at invitation and at acceptance", async () => {
    const shop = await merchantWithOwner();
    const other = await merchantWithOwner();
    const taken = (await database.db.user.findUniqueOrThrow({ where: { id: other.ownerId } })).email;
    await expect(
      createInvitation(shop.deps, shop.merchantId, { email: taken, role: "viewer" }),
    ).rejects.toMatchObject({ code: "conflict", status: 409 });
    // Invited first, registered elsewhere before accepting.
    const email = unique("late-signup");
    const { url } = await createInvitation(shop.deps, shop.merchantId, { email, role: "viewer" });
    await createMerchant(database.db, { name: "Elsewhere", email, password: PASSWORD });
    await expect(
      acceptInvitation({ token: tokenOf(url), name: "D", password: PASSWORD }, { db: database.db }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/already exists/),
    });
  });

  it("only the owner manages the team: an admin's invitation is a 403 naming team:write; another merchant's owner a 404", async () => {
    const shop = await merchantWithOwner();
    const admin = await addMember(deps(OPERATOR), shop.merchantId, {
      email: unique("adm"),
      role: "admin",
      password: PASSWORD,
    });
    const adminActor = userActor({ merchantId: shop.merchantId, userId: admin.id, role: "admin" });
    for (const attempt of [
      () => createInvitation(deps(adminActor), shop.merchantId, { email: unique("x"), role: "viewer" }),
      () => changeMemberRole(deps(adminActor), shop.merchantId, { userId: admin.id, role: "owner" }),
      () => removeMember(deps(adminActor), shop.merchantId, shop.ownerId),
    ])
      await expect(attempt()).rejects.toMatchObject({
        code: "forbidden",
        message: expect.stringContaining("team:write"),
      });
    const stranger = await merchantWithOwner();
    await expect(
      createInvitation(stranger.deps, shop.merchantId, { email: unique("y"), role: "viewer" }),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(removeMember(stranger.deps, stranger.merchantId, admin.id)).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await database.db.user.count({ where: { merchantId: shop.merchantId } })).toBe(2);
  });
});

describe("roles and removal", () => {
  it("changes a role and removes a member, with audit entries", async () => {
    const shop = await merchantWithOwner();
    const member = await addMember(shop.deps, shop.merchantId, {
      email: unique("dev"),
      role: "developer",
      password: PASSWORD,
    });
    expect(
      await changeMemberRole(shop.deps, shop.merchantId, { userId: member.id, role: "viewer" }),
    ).toMatchObject({ role: "viewer" });
    await removeMember(shop.deps, shop.merchantId, member.id);
    expect(await database.db.user.findUnique({ where: { id: member.id } })).toBeNull();
    expect(
      (await audit(shop.merchantId)).map((entry) => [entry.action, entry.targetId, entry.details]),
    ).toEqual([
      ["member.added", member.id, { email: member.email, role: "developer" }],
      ["member.role_changed", member.id, { email: member.email, from: "developer", to: "viewer" }],
      ["member.removed", member.id, { email: member.email, role: "viewer" }],
    ]);
  });

  it("the last owner can be neither demoted nor removed (409); with two owners one may go", async () => {
    const shop = await merchantWithOwner();
    await expect(
      changeMemberRole(shop.deps, shop.merchantId, { userId: shop.ownerId, role: "admin" }),
    ).rejects.toMatchObject({ code: "conflict", status: 409 });
    await expect(removeMember(shop.deps, shop.merchantId, shop.ownerId)).rejects.toMatchObject({
      code: "conflict",
    });
    const second = await addMember(shop.deps, shop.merchantId, {
      email: unique("owner2"),
      role: "owner",
      password: PASSWORD,
    });
    await changeMemberRole(shop.deps, shop.merchantId, { userId: shop.ownerId, role: "admin" });
    const secondDeps = deps(userActor({ merchantId: shop.merchantId, userId: second.id, role: "owner" }));
    await expect(removeMember(secondDeps, shop.merchantId, second.id)).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await database.db.user.count({ where: { merchantId: shop.merchantId, role: "owner" } })).toBe(1);
  });

  it("two owners demoting and removing each other at the same time: one owner always remains", async () => {
    for (let round = 0; round < 5; round++) {
      const shop = await merchantWithOwner();
      const second = await addMember(shop.deps, shop.merchantId, {
        email: unique("race-owner"),
        role: "owner",
        password: PASSWORD,
      });
      const secondDeps = deps(userActor({ merchantId: shop.merchantId, userId: second.id, role: "owner" }));
      const results = await Promise.allSettled([
        changeMemberRole(shop.deps, shop.merchantId, { userId: shop.ownerId, role: "viewer" }),
        removeMember(secondDeps, shop.merchantId, second.id),
        changeMemberRole(secondDeps, shop.merchantId, { userId: second.id, role: "admin" }),
      ]);
      expect(results.filter((result) => result.status === "rejected").length).toBeGreaterThanOrEqual(1);
      // A refusal is the last-owner rule, or (when the second owner removed itself first) its own
      // demotion finding no such member any more.
      for (const result of results)
        if (result.status === "rejected")
          expect(["conflict", "not_found"]).toContain((result.reason as { code?: string }).code);
      expect(await database.db.user.count({ where: { merchantId: shop.merchantId, role: "owner" } })).toBe(1);
    }
  });
});
