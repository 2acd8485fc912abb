import { createHash, randomBytes } from "node:crypto";
import { type AccessDeps, authorize } from "../access/actor";
import type { TRole } from "../access/permissions";
import { recordAuditEntry } from "../audit/record-audit-entry";
import { publicUrl } from "../config/public-url";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { newId } from "../ids";
import { assertEmailFree, type TInviteMember } from "./team-input";

export type TeamDeps = {
  db: Db /** Base of the invitation link; PUBLIC_URL by default. */;
  baseUrl?: string;
} & AccessDeps;

/** An invitation link is valid this long. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type PendingInvitation = { id: string; email: string; role: TRole; expiresAt: Date; createdAt: Date };
export type CreatedInvitation = PendingInvitation & { url: string };

/** SHA-256 (hex) of an invitation token: what the database stores and looks invitations up by. */
export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Invites `email` to join the merchant with `role` (owner only: `team:write`). Returns the link
 * once: it holds a random 256-bit token of which only the hash is stored, valid for 7 days, single
 * use, revocable. An email that already has an account anywhere is refused (409).
 */
export async function createInvitation(
  deps: TeamDeps,
  merchantId: string,
  input: TInviteMember,
  now = new Date(),
): Promise<CreatedInvitation> {
  authorize(deps.actor, merchantId, "team:write");
  await assertEmailFree(deps.db, input.email);
  const token = randomBytes(32).toString("base64url");
  const id = newId("inv");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  const invitation = await deps.db.$transaction(async (tx) => {
    const created = await tx.invitation.create({
      data: {
        id,
        merchantId,
        email: input.email,
        role: input.role,
        tokenHash: hashInvitationToken(token),
        invitedBy: deps.actor.type === "user" ? deps.actor.userId : null,
        expiresAt,
        createdAt: now,
      },
      select: PENDING_SELECT,
    });
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "member.invited",
      targetId: id,
      details: { email: input.email, role: input.role },
      origin: deps.origin,
    });
    return created;
  });
  return { ...invitation, url: `${deps.baseUrl ?? publicUrl()}/invite/${token}` };
}

const PENDING_SELECT = { id: true, email: true, role: true, expiresAt: true, createdAt: true } as const;

/** Invitations neither accepted, revoked nor expired, newest first (any member may see them). */
export async function listPendingInvitations(
  deps: TeamDeps,
  merchantId: string,
  now = new Date(),
): Promise<PendingInvitation[]> {
  authorize(deps.actor, merchantId, "settings:read");
  return deps.db.invitation.findMany({
    where: { merchantId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: PENDING_SELECT,
  });
}

/** Revokes a pending invitation (owner only); its link stops working at once. 404 if not pending. */
export async function revokeInvitation(
  deps: TeamDeps,
  merchantId: string,
  invitationId: string,
): Promise<void> {
  authorize(deps.actor, merchantId, "team:write");
  await deps.db.$transaction(async (tx) => {
    const invitation = await tx.invitation.findFirst({
      where: { id: invitationId, merchantId, acceptedAt: null, revokedAt: null },
      select: { id: true, email: true },
    });
    const revoked =
      invitation &&
      (await tx.invitation.updateMany({
        where: { id: invitation.id, acceptedAt: null, revokedAt: null },
        data: { revokedAt: new Date() },
      }));
    if (!invitation || !revoked || revoked.count !== 1)
      throw new AppError("not_found", `No pending invitation ${invitationId}.`);
    await recordAuditEntry(tx, {
      merchantId,
      actor: deps.actor,
      action: "member.invitation_revoked",
      targetId: invitation.id,
      details: { email: invitation.email },
      origin: deps.origin,
    });
  });
}
