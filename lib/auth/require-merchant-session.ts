import { redirect } from "next/navigation";
import { getServerSession } from "next-auth/next";
import { type Actor, userActor } from "../access/actor";
import type { TRole } from "../access/permissions";
import { type Db, db } from "../db/client";
import { authOptions, ZSessionClaims } from "./auth-options";

export type MerchantSession = {
  /** The database handle the page's services run on (app/ never imports lib/db). */
  db: Db;
  userId: string;
  email: string;
  /** The member's current role, re-read on every call (lib/access/permissions.ts). */
  role: TRole;
  merchant: { id: string; name: string };
  /** The member as the services see it: pass it to every service call (lib/access/actor.ts). */
  actor: Actor;
};

/**
 * The signed-in user and their merchant, re-read from the database on every call (a deleted user or
 * merchant loses access at once, whatever the JWT says, and so does a session ended by sign-out or
 * a password change: its session version is no longer the user's); redirects to sign-in otherwise. Every
 * dashboard page and server action starts with it.
 */
export async function requireMerchantSession(callbackPath = "/dashboard"): Promise<MerchantSession> {
  const session = await getServerSession(authOptions());
  const claims = ZSessionClaims.safeParse(session ?? {});
  const signIn = `/sign-in?callbackUrl=${encodeURIComponent(callbackPath)}`;
  if (!claims.success) redirect(signIn);
  const database = db();
  const user = await database.user.findFirst({
    where: { id: claims.data.userId, merchantId: claims.data.merchantId },
    select: {
      id: true,
      email: true,
      role: true,
      sessionVersion: true,
      merchant: { select: { id: true, name: true } },
    },
  });
  // Signed out or password changed since this JWT was issued: the session has ended.
  if (!user || user.sessionVersion !== claims.data.sessionVersion) redirect(signIn);
  return {
    db: database,
    userId: user.id,
    email: user.email,
    role: user.role,
    merchant: user.merchant,
    actor: userActor({ merchantId: user.merchant.id, userId: user.id, role: user.role }),
  };
}
