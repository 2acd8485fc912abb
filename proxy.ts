// Next.js 16 proxy (formerly middleware): adds the security headers (lib/http/security-headers.ts)
// to every page and API answer. Authorization is not done here: routes and pages check it themselves.
import { type NextRequest, NextResponse } from "next/server";
import { env } from "@/lib/config/env";
import { securityHeaders, securityHeadersConfig } from "@/lib/http/security-headers";

export function proxy(request: NextRequest): NextResponse {
  const response = NextResponse.next();
  const headers = securityHeaders(request.nextUrl.pathname, securityHeadersConfig(env()));
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Hashed build assets need none of it; everything else (pages, API, icons) gets the headers.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
