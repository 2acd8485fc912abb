import { hash } from "argon2";
import { userActor } from "../access/actor";
import type { TRole } from "../access/permissions";
import { type RequestOrigin, recordAuditEntry } from "../audit/record-audit-entry";
import { type Db, db as defaultDb } from "../db/client";
import { AppError } from "../errors";
import { newId } from "../ids";
import { hashInvitationToken } from "./invitations";
import { assertEmailFree, emailTakenOnConflict, type TAcceptInvitation } from "./team-input";

export type InvitationToAccept = { email: string; role: TRole; merchantName: string; expiresAt: Date };

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;
const UNUSABLE =
  "This invitation link is not valid: it was already used, revoked, or has expired. Ask the owner for a new one.";

function usable(now: Date) {
  return { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } };
}

/** What the public invitation page shows, or null when the link cannot be used (any reason). */
export async function findInvitationByToken(
  token: string,
  options: { db?: Db; now?: Date } = {},
): Promise<InvitationToAccept | null> {
  const { db = defaultDb(), now = new Date() } = options;
  if (!TOKEN_FORMAT.test(token)) return null;
  const invitation = await db.invitation.findFirst({
    where: { tokenHash: hashInvitationToken(token), ...usable(now) },
    select: { email: true, role: true, expiresAt: true, merchant: { select: { name: true } } },
  });
  return invitation && { ...invitation, merchantName: invitation.merchant.name };
}

/**
 * Accepts an invitation: the new member sets a name and password and becomes a user of the merchant
 * with the invited role. The token is used up in the same transaction that creates the user (an
 * UPDATE … WHERE accepted_at IS NULL, so two submissions cannot both succeed); an unusable token is a
 * 404 and an email that meanwhile got an account anywhere a 409.
 */
export async function acceptInvitation(
  params: { token: string } & TAcceptInvitation,
  options: { db?: Db; origin?: RequestOrigin; now?: Date } = {},
): Promise<{ userId: string; merchantId: string; email: string; role: TRole }> {
  const { db = defaultDb(), origin, now = new Date() } = options;
  if (!TOKEN_FORMAT.test(params.token)) throw new AppError("not_found", UNUSABLE);
  const passwordHash = await hash(params.password, { type: 2 });
  const tokenHash = hashInvitationToken(params.token);
  try {
    return await db.$transaction(async (tx) => {
      const invitation = await tx.invitation.findFirst({
        where: { tokenHash, ...usable(now) },
        select: { id: true, merchantId: true, email: true, role: true },
      });
      const used =
        invitation &&
        (await tx.invitation.updateMany({
          where: { id: invitation.id, ...usable(now) },
          data: { acceptedAt: now },
        }));
      if (!invitation || !used || used.count !== 1) throw new AppError("not_found", UNUSABLE);
      await assertEmailFree(tx, invitation.email);
      const userId = newId("usr");
      await tx.user.create({
        data: {
          id: userId,
          merchantId: invitation.merchantId,
          email: invitation.email,
          name: params.name,
          passwordHash,
          role: invitation.role,
        },
        select: { id: true },
      });
      await recordAuditEntry(tx, {
        merchantId: invitation.merchantId,
        actor: userActor({ merchantId: invitation.merchantId, userId, role: invitation.role }),
        action: "member.joined",
        targetId: userId,
        details: { email: invitation.email, role: invitation.role, invitation_id: invitation.id },
        origin,
      });
      return { userId, merchantId: invitation.merchantId, email: invitation.email, role: invitation.role };
    });
  } catch (error) {
    return emailTakenOnConflict(error);
  }
}
