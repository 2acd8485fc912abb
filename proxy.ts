// Next.js 16 proxy (formerly middleware): refuses paths Next itself cannot decode, and adds the
// security headers (lib/http/security-headers.ts) to every page and API answer. Authorization is
// not done here: routes and pages check it themselves.
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
  // Hashed build assets need none of it; everything else (pages, API, icons) gets the headers.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
