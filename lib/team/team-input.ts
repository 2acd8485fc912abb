import { z } from "zod";
import { ZRole } from "../access/permissions";
import { ZSignUp } from "../auth/sign-up";
import type { Db, Tx } from "../db/client";
import { AppError } from "../errors";
import { zText } from "../validation/text";

/** A member's email: the sign-up rule (trimmed, lower-cased, valid). */
export const ZMemberEmail = ZSignUp.shape.email;
/** A member's password: the sign-up rule (10–200 characters). */
export const ZMemberPassword = ZSignUp.shape.password;
export const ZMemberName = zText().trim().min(1, "Enter your name").max(100);

export const ZInviteMember = z.object({ email: ZMemberEmail, role: ZRole });
export type TInviteMember = z.infer<typeof ZInviteMember>;

export const ZAcceptInvitation = z.object({ name: ZMemberName, password: ZMemberPassword });
export type TAcceptInvitation = z.infer<typeof ZAcceptInvitation>;

const EMAIL_TAKEN = "An account with this email already exists (emails are unique across the gateway).";

/** Refuses an email that already has an account, in any merchant (sign-in is by email alone). */
export async function assertEmailFree(db: Db | Tx, email: string): Promise<void> {
  const existing = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (existing)
    throw new AppError("conflict", EMAIL_TAKEN, { errors: [{ path: "email", message: EMAIL_TAKEN }] });
}

/** The unique index on users.email decides between two creations at the same instant. */
export function emailTakenOnConflict(error: unknown): never {
  if (error instanceof Error && "code" in error && error.code === "P2002")
    throw new AppError("conflict", EMAIL_TAKEN, {
      cause: error,
      errors: [{ path: "email", message: EMAIL_TAKEN }],
    });
  throw error;
}
