// Wrapper of the public (no API key) routes such as the checkout status and the metrics: per-IP rate limit,
// path validation (a malformed id is a 404), request id and the single catch rendering problem+json.
import type { z } from "zod";
import { type Db, db as defaultDb } from "../db/client";
import { AppError, problemResponse } from "../errors";
import { type Logger, logger as processLogger } from "../logger";
import { instrumentRoute, newRequestId, requestLogger } from "../observability/trace-http";
import { clientIp } from "./client-ip";
import { RateLimiter } from "./rate-limit";
import { upstreamAppError } from "./upstream-error";

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export type PublicRouteSpec<TParams> = {
  params: z.ZodType<TParams>;
  /** Requests per second sustained per client IP, and the burst above it. */
  rateLimit: { perSecond: number; burst: number };
  /** Returns the JSON body, or a whole Response for another format. */
  handler: (context: { db: Db; params: TParams; request: Request }) => Promise<unknown>;
  /** The database (tests pass their own); the process-wide client by default. */
  getDb?: () => Db;
  /** The logger the request's child logger derives from; the process-wide one by default. */
  logger?: Logger;
};

export function publicRoute<TParams>(
  spec: PublicRouteSpec<TParams>,
): (request: Request, context: RouteContext) => Promise<Response> {
  const limiter = new RateLimiter(spec.rateLimit.perSecond, spec.rateLimit.burst);
  const baseLogger = spec.logger ?? processLogger;
  return instrumentRoute(async (request, routeContext) => {
    const requestId = newRequestId();
    try {
      const retryAfter = limiter.take(clientIp(request.headers));
      if (retryAfter > 0)
        throw new AppError("rate_limited", `Too many requests; retry after ${retryAfter} s.`, {
          headers: { "retry-after": String(retryAfter) },
        });
      const params = spec.params.safeParse((await routeContext?.params) ?? {});
      if (!params.success) throw new AppError("not_found", "No such object.");
      const body = await spec.handler({ db: (spec.getDb ?? defaultDb)(), params: params.data, request });
      if (body instanceof Response) return body; // a non-JSON answer (the metrics' text format)
      return new Response(JSON.stringify(body), {
        headers: { "content-type": "application/json", "cache-control": "no-store", "request-id": requestId },
      });
    } catch (error) {
      if (error instanceof AppError) return problemResponse(error, requestId);
      const upstream = upstreamAppError(error);
      if (upstream) {
        requestLogger(baseLogger, requestId).error(
          "upstream (chain node or database) failed during a public request",
          {
            url: request.url,
            error,
          },
        );
        return problemResponse(upstream, requestId);
      }
      requestLogger(baseLogger, requestId).error("unhandled error in public route", {
        url: request.url,
        error,
      });
      return problemResponse(
        new AppError("internal_error", `Something went wrong on our side (${requestId}).`),
        requestId,
      );
    }
  });
}
