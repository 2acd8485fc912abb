// Next.js 16 proxy (formerly middleware): refuses paths Next itself cannot decode, and adds the
// security headers (lib/http/security-headers.ts) to every page. Authorization is not done here:
// routes and pages check it themselves. It stays off the API path (issue 22): API answers get their
// fixed headers from next.config.js; only API paths holding a `%` come here, because Next answers
// an undecodable one (`/api/v1/payments/%zz`) with a bare 500 before any route code runs.
import { type NextRequest, NextResponse } from "next/server";
import { env } from "@/lib/config/env";
import { malformedPathResponse } from "@/lib/http/malformed-path";
import { securityHeaders, securityHeadersConfig } from "@/lib/http/security-headers";

export function proxy(request: NextRequest): Response {
  const { pathname } = request.nextUrl;
  const response = malformedPathResponse(pathname) ?? NextResponse.next();
  for (const [name, value] of Object.entries(securityHeaders(pathname, securityHeadersConfig(env()))))
    response.headers.set(name, value);
  return response;
}

export const config = {
  // Hashed build assets and well-formed API paths need none of it; pages and icons get the headers.
  // Next tries each matcher on the raw path too, so `%zz` (which cannot be decoded) still matches.
  matcher: ["/((?!_next/static|_next/image|api/).*)", "/api/(.*%.*)"],
};
