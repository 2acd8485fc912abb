/** A same-origin path to return to after sign-in; anything else (absolute or protocol-relative URLs) is the dashboard. */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\"))
    return "/dashboard";
  return value.slice(0, 512);
}
