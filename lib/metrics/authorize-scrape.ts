import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors";

/**
 * When `METRICS_TOKEN` is set, a scrape of `/api/metrics` must carry
 * `Authorization: Bearer <token>` (Prometheus' `authorization` setting); unset, the metrics are
 * public. The comparison takes the same time whatever the token sent.
 */
export function authorizeScrape(request: Request, token: string | undefined): void {
  if (token === undefined) return;
  const sent = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  const digest = (value: string) => createHash("sha256").update(value).digest();
  if (!timingSafeEqual(digest(sent), digest(token)))
    throw new AppError("unauthorized", "The metrics need `Authorization: Bearer <METRICS_TOKEN>`.", {
      headers: { "www-authenticate": 'Bearer realm="metrics"' },
    });
}
