import { hash, verify } from "argon2";
import { z } from "zod";
import type { AccessDeps } from "../access/actor";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { ZSignUp } from "./sign-up";

export const ZChangePassword = z
  .strictObject({
    current_password: z.string().min(1, "Enter your current password").max(200),
    new_password: ZSignUp.shape.password,
  })
  .refine((input) => input.new_password !== input.current_password, {
    path: ["new_password"],
    message: "Choose a password different from the current one",
  });
export type TChangePassword = z.input<typeof ZChangePassword>;

/**
 * A member changes their own password: the current one is required (a session left open on a shared
 * machine must not lock its owner out), the new one is stored as argon2id, and every session of the
 * member ends, this one included (session_version is bumped in the same update).
 */
export async function changePassword(deps: { db: Db } & AccessDeps, input: TChangePassword): Promise<void> {
  const { actor } = deps;
  if (actor.type !== "user")
    throw new AppError("forbidden", "Only a signed-in member can change their own password.");
  const parsed = ZChangePassword.parse(input);
  const user = await deps.db.user.findFirst({
    where: { id: actor.userId, merchantId: actor.merchantId },
    select: { passwordHash: true, sessionVersion: true },
  });
  if (!user) throw new AppError("not_found", "No such member.");
  if (!(await verify(user.passwordHash, parsed.current_password))) {
    const message = "The current password is not correct";
    throw new AppError("validation_failed", `current_password: ${message}`, {
      errors: [{ path: "current_password", message }],
    });
  }
  const passwordHash = await hash(parsed.new_password, { type: 2 });
  // Compare-and-set on the version: two concurrent changes cannot both win silently.
  const { count } = await deps.db.user.updateMany({
    where: { id: actor.userId, sessionVersion: user.sessionVersion },
    data: { passwordHash, sessionVersion: { increment: 1 } },
  });
  if (count === 0)
    throw new AppError("conflict", "Your sessions changed meanwhile; sign in again and retry.");
}
