import { verify } from "argon2";
import { type AccessDeps, authorize } from "../access/actor";
import type { TPermission } from "../access/permissions";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { LoginThrottle } from "./login-throttle";

/** 5 wrong passwords per member in 15 minutes: a stolen session cannot guess the password here. */
const reconfirmThrottle = new LoginThrottle(5, 15 * 60_000);

function passwordError(message: string): AppError {
  return new AppError("validation_failed", message, { errors: [{ path: "password", message }] });
}

/**
 * A member confirms a money-routing change (treasury, settlement mode, payout limits) with their
 * password again, checked against their argon2id hash: a session left open or stolen cannot
 * redirect funds on its own. The permission is checked first (a role without it gets its usual
 * 403, never a password prompt); a missing or wrong password is a 422 on the `password` field and
 * nothing else happens. Only a signed-in member has a password: API keys and the operator use the
 * services directly, the money-routing delay guards those.
 */
export async function reconfirmPassword(
  deps: { db: Db } & AccessDeps,
  merchantId: string,
  permission: TPermission,
  password: unknown,
  now = Date.now(),
): Promise<void> {
  const { actor } = deps;
  authorize(actor, merchantId, permission);
  if (actor.type !== "user")
    throw new AppError("forbidden", "Only a signed-in member confirms a change with a password.");
  if (typeof password !== "string" || password === "")
    throw passwordError("Enter your password to confirm this change.");
  if (reconfirmThrottle.retryAfterMs(actor.userId, now) > 0)
    throw passwordError("Too many wrong passwords: wait 15 minutes, then try again.");
  const user = await deps.db.user.findFirst({
    where: { id: actor.userId, merchantId },
    select: { passwordHash: true },
  });
  // A password longer than any sign-up allows is wrong without hashing it (no argon2 on 5 MB).
  const matches = user !== null && password.length <= 200 && (await verify(user.passwordHash, password));
  if (!matches) {
    reconfirmThrottle.recordFailure(actor.userId, now);
    throw passwordError("That password is not correct.");
  }
  reconfirmThrottle.reset(actor.userId);
}
