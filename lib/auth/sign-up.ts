import { z } from "zod";
import { configuredChains } from "../config/chains";
import { env } from "../config/env";
import { signUpEnabled } from "../config/production-guards";
import { type Db, db as defaultDb } from "../db/client";
import { AppError } from "../errors";
import { RateLimiter } from "../http/rate-limit";
import { createMerchant } from "../merchants/create-merchant";
import { zText } from "../validation/text";

export const ZSignUp = z.object({
  name: zText().trim().min(1, "Enter your business name").max(100),
  email: z.string().trim().toLowerCase().max(320).pipe(z.email("Enter a valid email address")),
  password: z.string().min(10, "Use at least 10 characters").max(200, "Use at most 200 characters"),
});
export type TSignUp = z.infer<typeof ZSignUp>;

export const SIGN_UP_CLOSED =
  "Sign-up is closed on this gateway. Ask the operator or an owner of your merchant account for an invitation.";

/**
 * Whether this gateway takes sign-ups: SIGN_UP_ENABLED, else open only while every configured chain
 * is a local devnet.
 */
export function signUpOpen(): boolean {
  return signUpEnabled(env(), configuredChains());
}

/**
 * Creates a merchant and its owner user; an email already registered is a `conflict`, and while
 * sign-up is closed nothing is created (`forbidden`).
 */
export async function signUp(
  input: TSignUp,
  db: Db = defaultDb(),
  open: boolean = signUpOpen(),
): Promise<{ merchantId: string; email: string }> {
  if (!open) throw new AppError("forbidden", SIGN_UP_CLOSED);
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw new AppError("conflict", "An account with this email already exists. Sign in instead.");
  try {
    const created = await createMerchant(db, input);
    return { merchantId: created.merchantId, email: created.email };
  } catch (error) {
    // Two sign-ups with one email at the same instant: the unique index decides.
    if (error instanceof Error && "code" in error && error.code === "P2002")
      throw new AppError("conflict", "An account with this email already exists. Sign in instead.", {
        cause: error,
      });
    throw error;
  }
}

/** At most 10 sign-ups per client address in a burst, then one every 6 minutes (per instance). */
export const signUpRateLimiter = new RateLimiter(1 / 360, 10);
