// next-auth 4 configuration: email + password (argon2id) against users.password_hash, JWT sessions
// signed with APP_SECRET, failed attempts throttled per email+IP and per email.
import type { NextAuthOptions, Session } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { env } from "../config/env";
import { publicUrl } from "../config/public-url";
import { db } from "../db/client";
import { clientIp } from "../http/client-ip";
import { LoginThrottle } from "./login-throttle";
import { recordSignInAttempt } from "./record-sign-in";
import { safeRedirectUrl } from "./safe-callback-path";
import { endUserSessions, sessionVersionOf } from "./session-version";
import { verifyCredentials, ZCredentials } from "./verify-credentials";

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** 5 failures per email and client address, 20 per email from anywhere, in 15 minutes. */
export const loginThrottle = {
  perClient: new LoginThrottle(5, 15 * 60_000),
  perEmail: new LoginThrottle(20, 15 * 60_000),
};

export const ZSessionClaims = z.object({
  userId: z.string().min(1),
  merchantId: z.string().min(1),
  /** users.session_version at sign-in; a JWT from before this claim existed counts as 0. */
  sessionVersion: z.number().int().nonnegative().default(0),
});
export type TSessionClaims = z.infer<typeof ZSessionClaims>;

export class TooManyAttemptsError extends Error {
  override name = "TooManyAttemptsError";
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return typeof value === "string" ? value : undefined;
}

/** Client address for throttling (lib/http/client-ip.ts: TCP peer, X-Forwarded-For only via TRUSTED_PROXIES). */
function requestIp(headers: Record<string, unknown> | undefined): string {
  const present = Object.keys(headers ?? {}).flatMap((name) => {
    const value = headerValue(headers, name);
    return value === undefined ? [] : [[name, value] as [string, string]];
  });
  return clientIp(new Headers(present));
}

export function authOptions(): NextAuthOptions {
  // next-auth reads its base URL from the environment; ours is PUBLIC_URL.
  process.env.NEXTAUTH_URL ??= publicUrl();
  return {
    secret: env().APP_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(raw, request) {
          const parsed = ZCredentials.safeParse(raw ?? {});
          if (!parsed.success) return null;
          const { email } = parsed.data;
          const clientKey = `${email}|${requestIp(request.headers)}`;
          const wait = Math.max(
            loginThrottle.perClient.retryAfterMs(clientKey),
            loginThrottle.perEmail.retryAfterMs(email),
          );
          if (wait > 0)
            throw new TooManyAttemptsError(
              `Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60_000)} minute(s).`,
            );
          const user = await verifyCredentials(db(), parsed.data);
          await recordSignInAttempt(db(), { email, succeeded: user !== null, headers: request.headers });
          if (!user) {
            loginThrottle.perClient.recordFailure(clientKey);
            loginThrottle.perEmail.recordFailure(email);
            return null;
          }
          loginThrottle.perClient.reset(clientKey);
          const sessionVersion = (await sessionVersionOf(db(), user.userId)) ?? 0;
          return {
            id: user.userId,
            email: user.email,
            name: user.merchantName,
            merchantId: user.merchantId,
            sessionVersion,
          };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user && "merchantId" in user && typeof user.merchantId === "string") {
          token.userId = user.id;
          token.merchantId = user.merchantId;
          token.sessionVersion = "sessionVersion" in user ? user.sessionVersion : 0;
        }
        return token;
      },
      redirect({ url, baseUrl }) {
        return safeRedirectUrl(url, baseUrl);
      },
      session({ session, token }) {
        const claims = ZSessionClaims.safeParse(token);
        const withClaims: Session & Partial<TSessionClaims> = claims.success
          ? {
              ...session,
              userId: claims.data.userId,
              merchantId: claims.data.merchantId,
              sessionVersion: claims.data.sessionVersion,
            }
          : session;
        return withClaims;
      },
    },
    events: {
      // Signing out ends this session and every other one of the user (the JWT itself stays valid
      // until it expires, so the version in the database is what refuses it from now on).
      async signOut({ token }) {
        const claims = ZSessionClaims.safeParse(token ?? {});
        if (claims.success) await endUserSessions(db(), claims.data.userId, claims.data.sessionVersion);
      },
    },
  };
}
