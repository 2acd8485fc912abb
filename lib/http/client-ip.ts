/**
 * The client address as the nearest proxy reports it: the last `X-Forwarded-For` entry (the one our
 * own reverse proxy appended; earlier entries are client-controlled), else `X-Real-IP`. Without a
 * proxy Next does not expose the socket address, so all direct clients share one key ("direct").
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  if (last) return last.slice(0, 64);
  return headers.get("x-real-ip")?.trim().slice(0, 64) || "direct";
}
