import { hash, verify } from "argon2";
import { z } from "zod";
import type { Db } from "../db/client";

export const ZCredentials = z.object({
  email: z.string().trim().toLowerCase().max(320).pipe(z.email()),
  password: z.string().min(1).max(200),
});
export type TCredentials = z.infer<typeof ZCredentials>;

export type AuthenticatedUser = { userId: string; merchantId: string; email: string; merchantName: string };

let dummyHash: Promise<string> | undefined;

/**
 * The user whose argon2id hash matches, or null. An unknown email still costs one argon2 verify
 * (against a dummy hash), so response times do not reveal which emails have accounts.
 */
export async function verifyCredentials(
  db: Db,
  credentials: TCredentials,
): Promise<AuthenticatedUser | null> {
  const user = await db.user.findUnique({
    where: { email: credentials.email },
    select: {
      id: true,
      email: true,
      passwordHash: true,
      merchantId: true,
      merchant: { select: { name: true } },
    },
  });
  if (!user) {
    dummyHash ??= hash("ctrip-dummy-password", { type: 2 });
    await verify(await dummyHash, credentials.password);
    return null;
  }
  if (!(await verify(user.passwordHash, credentials.password))) return null;
  return {
    userId: user.id,
    merchantId: user.merchantId,
    email: user.email,
    merchantName: user.merchant.name,
  };
}
