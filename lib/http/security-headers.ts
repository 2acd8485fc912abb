// Security headers of every response. Pages get them from the root proxy.ts at request time (so
// CHECKOUT_FRAME_ANCESTORS takes effect on restart, without a rebuild); API answers, whose headers
// never vary, from next.config.js `headers()` (api-security-headers.json, shared with it), so no
// proxy runs on the API path. Pure: tested directly.
import type { TEnv } from "../config/env";
import API_HEADERS from "./api-security-headers.json";
export type SecurityHeadersConfig = {
  production: boolean;
  /** Development (next dev) needs eval for React Refresh. */
  development: boolean;
  checkoutFrameAncestors: readonly string[];
};

/** Two years, subdomains included: the usual preload-grade value. Sent over HTTPS only by browsers' rules. */
export const HSTS = API_HEADERS.hsts;

/**
 * The pages' CSP. Next inlines its bootstrap scripts, so scripts need 'unsafe-inline' (no nonces:
 * pages stay statically renderable); everything else is same-origin. The checkout's wallet talks to
 * the payer's injected EIP-1193 provider, never to an RPC URL of ours, so connect-src 'self' is enough.
 */
function pageCsp(config: SecurityHeadersConfig, frameAncestors: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${config.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${config.development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}

export function securityHeadersConfig(config: TEnv): SecurityHeadersConfig {
  return {
    production: config.NODE_ENV === "production",
    development: config.NODE_ENV === "development",
    checkoutFrameAncestors: config.CHECKOUT_FRAME_ANCESTORS ?? [],
  };
}

export function isCheckoutPath(pathname: string): boolean {
  return pathname === "/pay" || pathname.startsWith("/pay/");
}

export function securityHeaders(pathname: string, config: SecurityHeadersConfig): Record<string, string> {
  const headers: Record<string, string> = { "x-content-type-options": "nosniff" };
  if (config.production) headers["strict-transport-security"] = HSTS;

  // API answers are data, never rendered: nothing may load from or frame them.
  if (pathname === "/api" || pathname.startsWith("/api/")) return { ...headers, ...API_HEADERS.api };

  const checkout = isCheckoutPath(pathname);
  const allowed = checkout ? config.checkoutFrameAncestors : [];
  headers["content-security-policy"] = pageCsp(config, allowed.length ? allowed.join(" ") : "'none'");
  // X-Frame-Options cannot list origins: only sent when nobody may frame the page (older browsers).
  if (allowed.length === 0) headers["x-frame-options"] = "DENY";
  // The checkout URL holds the payment id (its capability): never send it to another site.
  headers["referrer-policy"] = checkout ? "no-referrer" : "strict-origin-when-cross-origin";
  headers["permissions-policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
  return headers;
}
