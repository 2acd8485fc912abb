// Issue 16: sessions stayed valid 8 h after sign-out. A real next-auth JWT (encoded with
// APP_SECRET, decoded by next-auth) issued before sign-out or a password change is refused afterwards.
import { decode, encode, type JWT } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { userActor } from "../access/actor";
import { env } from "../config/env";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { credentialsAuthorize } from "../testing/sign-in";
import { authOptions } from "./auth-options";
import { changePassword } from "./change-password";
import { requireMerchantSession } from "./require-merchant-session";

let sessionToken: string | null = null;
vi.mock("next-auth/next", () => ({
  // getServerSession as next-auth runs it on a request carrying `sessionToken` as its cookie.
  getServerSession: async () => {
    const token = sessionToken ? await decode({ token: sessionToken, secret: env().APP_SECRET }) : null;
    if (!token) return null;
    return authOptions().callbacks?.session?.({ session: { expires: "" }, token } as never);
  },
}));

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  (globalThis as { ctripDb?: TestDatabase["db"] }).ctripDb = database.db;
});
afterAll(() => database?.drop());

/** A sign-in as next-auth runs it: our authorize, our jwt callback, then the JWT next-auth encodes. */
async function signIn(email: string, password: string): Promise<string> {
  const user = await credentialsAuthorize({ email, password });
  if (!user) throw new Error("sign-in refused");
  const token = await authOptions().callbacks?.jwt?.({
    token: { sub: (user as { id: string }).id },
    user,
  } as never);
  return encode({ token: token as JWT, secret: env().APP_SECRET });
}

async function sessionWith(token: string): Promise<string> {
  sessionToken = token;
  try {
    return `signed in as ${(await requireMerchantSession("/dashboard")).email}`;
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? "";
    if (digest.startsWith("NEXT_REDIRECT;")) return `redirect ${digest.split(";")[2]}`;
    throw error;
  }
}

async function owner(label: string) {
  const email = `${label}-${Date.now()}@example.com`;
  const { merchantId } = await createMerchant(database.db, {
    name: label,
    email,
    password: "correct horse battery",
  });
  const user = await database.db.user.findFirstOrThrow({ where: { merchantId } });
  return { email, merchantId, userId: user.id, role: user.role };
}

describe("sessions end on sign-out and password change", () => {
  it("refuses a JWT issued before sign-out, on every device; a new sign-in works", async () => {
    const { email } = await owner("signout");
    const laptop = await signIn(email, "correct horse battery");
    const phone = await signIn(email, "correct horse battery");
    expect(await sessionWith(laptop)).toBe(`signed in as ${email}`);

    // next-auth calls events.signOut with the decoded JWT of the session signing out.
    const decoded = await decode({ token: laptop, secret: env().APP_SECRET });
    await authOptions().events?.signOut?.({ token: decoded as JWT, session: null as never });

    expect(await sessionWith(laptop)).toBe("redirect /sign-in?callbackUrl=%2Fdashboard");
    expect(await sessionWith(phone)).toBe("redirect /sign-in?callbackUrl=%2Fdashboard");
    // Signing out the dead session again changes nothing; a fresh sign-in is valid.
    await authOptions().events?.signOut?.({ token: decoded as JWT, session: null as never });
    expect(await sessionWith(await signIn(email, "correct horse battery"))).toBe(`signed in as ${email}`);
  });

  it("a password change needs the current password, ends every session and takes the new password", async () => {
    const member = await owner("password");
    const before = await signIn(member.email, "correct horse battery");
    const actor = userActor(member);

    await expect(
      changePassword(
        { db: database.db, actor },
        { current_password: "wrong", new_password: "another long one" },
      ),
    ).rejects.toMatchObject({ code: "validation_failed", errors: [{ path: "current_password" }] });
    await expect(
      changePassword(
        { db: database.db, actor },
        { current_password: "correct horse battery", new_password: "short" },
      ),
    ).rejects.toMatchObject({ name: "ZodError" });
    expect(await sessionWith(before)).toBe(`signed in as ${member.email}`);

    await changePassword(
      { db: database.db, actor },
      { current_password: "correct horse battery", new_password: "another long one" },
    );
    expect(await sessionWith(before)).toBe("redirect /sign-in?callbackUrl=%2Fdashboard");
    await expect(signIn(member.email, "correct horse battery")).rejects.toThrow("sign-in refused");
    expect(await sessionWith(await signIn(member.email, "another long one"))).toBe(
      `signed in as ${member.email}`,
    );
  });

  it("only a signed-in member changes their own password", async () => {
    await expect(
      changePassword(
        { db: database.db, actor: { type: "operator" } },
        { current_password: "x", new_password: "another long one" },
      ),
    ).rejects.toBeInstanceOf(AppError);
  });
});
