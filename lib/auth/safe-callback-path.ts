/** A same-origin path to return to after sign-in; anything else (absolute or protocol-relative URLs) is the dashboard. */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\"))
    return "/dashboard";
  return value.slice(0, 512);
}

/**
 * next-auth's `redirect` callback: a same-origin path or URL, else the base URL. next-auth's default
 * runs `new URL(url)` on whatever `callbackUrl` a client posts, so a relative junk value (".5")
 * threw and the sign-in answered 500.
 */
export function safeRedirectUrl(url: string, baseUrl: string): string {
  if (url.startsWith("/")) {
    const path = safeCallbackPath(url);
    return path === url.slice(0, 512) ? `${baseUrl}${path}` : baseUrl;
  }
  try {
    return new URL(url).origin === new URL(baseUrl).origin ? url : baseUrl;
  } catch {
    return baseUrl;
  }
}
