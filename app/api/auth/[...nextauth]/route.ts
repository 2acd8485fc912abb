import type { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/auth-options";
import { AppError, problemResponse } from "@/lib/errors";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

// Built per request so the options read the parsed environment at run time, not at build time.
function handler(request: NextRequest, context: Context): Promise<Response> {
  return NextAuth(request, context, authOptions());
}

/**
 * The credentials callback only takes the sign-in form (POST); next-auth answers a GET to it with a
 * 500 "Callback for provider type credentials not supported" (found by e2e/api/hostile-http.spec.ts).
 */
async function get(request: NextRequest, context: Context): Promise<Response> {
  const { nextauth } = await context.params;
  if (nextauth[0] === "callback" && nextauth[1] === "credentials")
    return problemResponse(
      new AppError("method_not_allowed", "Sign in by POSTing the sign-in form to this URL.", {
        headers: { allow: "POST" },
      }),
    );
  return handler(request, context);
}

export { get as GET, handler as POST };
