const DEFAULT_PATH = "/dashboard";
/** Any origin: only whether resolving a path against it keeps it matters. */
const PROBE_ORIGIN = "https://gateway.invalid";

/**
 * A same-origin path to return to after sign-in; anything else is the dashboard. Refused: absolute
 * and protocol-relative URLs, backslashes and control characters, raw or percent-encoded (browsers
 * drop a tab or newline inside a URL, so `/%09/evil.example/` or `/\t/evil.example` becomes
 * `//evil.example/` after a decode), and any path whose resolution leaves the origin.
 */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 512) return DEFAULT_PATH;
  const decoded = fullyDecoded(value);
  if (decoded === null) return DEFAULT_PATH;
  for (const form of [value, decoded]) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (!form.startsWith("/") || form.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(form))
      return DEFAULT_PATH;
    try {
      const resolved = new URL(form, PROBE_ORIGIN);
      if (resolved.origin !== PROBE_ORIGIN || resolved.pathname.startsWith("//")) return DEFAULT_PATH;
    } catch {
      return DEFAULT_PATH;
    }
  }
  return value;
}

/** Percent-decodes until stable (double encoding included); null when the encoding is malformed. */
function fullyDecoded(value: string): string | null {
  let current = value;
  for (let round = 0; round < 4; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return null;
}

/**
 * next-auth's `redirect` callback: a same-origin path or URL, else the base URL. next-auth's default
 * runs `new URL(url)` on whatever `callbackUrl` a client posts, so a relative junk value (".5")
 * threw and the sign-in answered 500.
 */
export function safeRedirectUrl(url: string, baseUrl: string): string {
  if (url.startsWith("/")) {
    const path = safeCallbackPath(url);
    return path === url ? `${baseUrl}${path}` : baseUrl;
  }
  try {
    const parsed = new URL(url);
    const base = new URL(baseUrl);
    if (parsed.origin !== base.origin) return baseUrl;
    const path = `${parsed.pathname}${parsed.search}${parsed.hash}`;
    return safeCallbackPath(path) === path ? url : baseUrl;
  } catch {
    return baseUrl;
  }
}
