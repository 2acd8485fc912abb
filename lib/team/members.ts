import { hash } from "argon2";
import { authorize } from "../access/actor";
import type { TRole } from "../access/permissions";
import { recordAuditEntry } from "../audit/record-audit-entry";
import type { Tx } from "../db/client";
import { AppError } from "../errors";
import { newId } from "../ids";
import type { TeamDeps } from "./invitations";
import { assertEmailFree, emailTakenOnConflict } from "./team-input";

export type Member = { id: string; email: string; name: string | null; role: TRole; createdAt: Date };

/** The merchant's members, owners first then by joining date (any member may see the team). */
export async function listMembers(deps: TeamDeps, merchantId: string): Promise<Member[]> {
  authorize(deps.actor, merchantId, "settings:read");
  return deps.db.user.findMany({
    where: { merchantId },
    orderBy: [{ role: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    select: { id: true, email: true, name: true, role: true, createdAt: true },
  });
}

/**
 * Locks every member row of the merchant (FOR UPDATE) and returns the member asked for. Changes that
 * could leave a merchant without an owner take this lock first, so two of them run one after the
 * other and the second sees the first's outcome: two owners demoting each other cannot both succeed.
 */
async function lockMembers(tx: Tx, merchantId: string, userId: string) {
  const members = await tx.$queryRaw<{ id: string; email: string; role: TRole }[]>`
    SELECT id, email, role::text AS role FROM users WHERE merchant_id = ${merchantId} ORDER BY id FOR UPDATE`;
  const member = members.find((candidate) => candidate.id === userId);
  if (!member) throw new AppError("not_found", `No member ${userId}.`);
  const owners = members.filter((candidate) => candidate.role === "owner").length;
  return { member, owners };
}

const LAST_OWNER = "A merchant keeps at least one owner: make another member owner first.";

/** Changes a member's role (owner only). Demoting the last owner is a 409. Takes effect at once. */
export async function changeMemberRole(
  deps: TeamDeps,
  merchantId: string,
  params: { userId: string; role: TRole },
): Promise<Member> {
  authorize(deps.actor, merchantId, "team:write");
  return deps.db.$transaction(async (tx) => {
    const { member, owners } = await lockMembers(tx, merchantId, params.userId);
    if (member.role === "owner" && params.role !== "owner" && owners <= 1)
      throw new AppError("conflict", LAST_OWNER);
    const updated = await tx.user.update({
      where: { id: member.id },
      data: { role: params.role },
      select: { id: true, email: true, name: true, role: true, createdAt: true },
    });
    if (member.role !== params.role)
      await recordAuditEntry(tx, {
        merchantId,
        actor: deps.actor,
        action: "member.role_changed",
        targetId: member.id,
        details: { email: member.email, from: member.role, to: params.role },
        origin: deps.origin,
      });
    return updated;
  });
}

/** Removes a member (owner only); their session stops working at once. Removing the last owner is a 409. */
export async function removeMember(deps: TeamDeps, merchantId: string, userId: string): Promise<void> {
  authorize(deps.actor, merchantId, "team:write");
  await deps.db.$transaction(async (tx) => {
    const { member, owners } = await lockMembers(tx, merchantId, userId);
    if (member.role === "owner" && owners <= 1) throw new AppError("conflict", LAST_OWNER);
    await tx.user.delete({ where: { id: member.id } });
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "member.removed",
      targetId: member.id,
      details: { email: member.email, role: member.role },
      origin: deps.origin,
    });
  });
}

/**
 * Adds a member with a password directly, without an invitation (the operator's `add-user`; owner
 * only otherwise). The email must not have an account anywhere.
 */
export async function addMember(
  deps: TeamDeps,
  merchantId: string,
  params: { email: string; role: TRole; password: string },
): Promise<Member> {
  authorize(deps.actor, merchantId, "team:write");
  await assertEmailFree(deps.db, params.email);
  const passwordHash = await hash(params.password, { type: 2 });
  try {
    return await deps.db.$transaction(async (tx) => {
      const member = await tx.user.create({
        data: { id: newId("usr"), merchantId, email: params.email, passwordHash, role: params.role },
        select: { id: true, email: true, name: true, role: true, createdAt: true },
      });
      await recordAuditEntry(tx, {
        merchantId,
        actor: deps.actor,
        action: "member.added",
        targetId: member.id,
        details: { email: member.email, role: member.role },
        origin: deps.origin,
      });
      return member;
    });
  } catch (error) {
    return emailTakenOnConflict(error);
  }
}
