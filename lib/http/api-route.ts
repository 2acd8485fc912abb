// The one wrapper of every /api/v1 route: request id, API-key auth and merchant scoping, rate
// limiting, content-type / size / JSON checks, zod validation, Idempotency-Key on POST, and the
// single catch that renders application/problem+json. Route files stay a few lines long.
import { z } from "zod";
import { type ApiKeyPrincipal, authenticateApiKey } from "../api-keys/authenticate-api-key";
import type { RequestOrigin } from "../audit/record-audit-entry";
import { env } from "../config/env";
import { type Db, db as defaultDb } from "../db/client";
import { AppError, type FieldError, problemResponse, toProblem } from "../errors";
import { withIdempotency, withIdempotencyInTransaction } from "../idempotency/with-idempotency";
import { type Logger, logger as processLogger } from "../logger";
import { instrumentRoute, newRequestId, observeMerchant, requestLogger } from "../observability/trace-http";
import { clientIp } from "./client-ip";
import { RateLimiter } from "./rate-limit";
import { upstreamAppError } from "./upstream-error";

export const MAX_BODY_BYTES = 64 * 1024;

export type ApiContext<TBody, TQuery, TParams> = ApiKeyPrincipal & {
  request: Request;
  requestId: string;
  db: Db;
  body: TBody;
  query: TQuery;
  params: TParams;
  /** Client address and request id, for the audit log (lib/audit/record-audit-entry.ts). */
  origin: RequestOrigin;
  /** This request's logger: its lines carry the request id, the merchant and the trace id. */
  readonly logger: Logger;
};
export type ApiResult = { status?: number; body: unknown };
type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export type ApiRouteSpec<TBody, TQuery, TParams> = {
  body?: z.ZodType<TBody>;
  query?: z.ZodType<TQuery>;
  params?: z.ZodType<TParams>;
  handler: (context: ApiContext<TBody, TQuery, TParams>) => Promise<ApiResult>;
  /**
   * The handler writes only through the `db` it is given and calls nothing outside the database
   * (no HTTP, no chain): with an Idempotency-Key it then runs in the key's transaction, so its writes
   * and the stored response commit together or not at all (a database restart mid-request can
   * neither leave the key stuck nor let a retry create twice). A service's own `$transaction` on that
   * client nests as a savepoint (Prisma 7.10+), so its row locks are held until the key's commit and
   * a 4xx it throws rolls back its writes before the answer is stored.
   */
  atomicIdempotency?: boolean;
  /** The logger the request's child logger derives from; the process-wide one by default (tests pass their own). */
  logger?: Logger;
};

let limiter: RateLimiter | undefined;
function rateLimiter(): RateLimiter {
  limiter ??= new RateLimiter(env().API_RATE_LIMIT_PER_SECOND, env().API_RATE_LIMIT_BURST);
  return limiter;
}

const ZIdempotencyKey = z.string().min(1).max(255);
/** The schema of a part a route does not declare (built once: a zod schema is costly to construct). */
const ANYTHING = z.any();

export function apiRoute<TBody = undefined, TQuery = undefined, TParams = undefined>(
  spec: ApiRouteSpec<TBody, TQuery, TParams>,
): (request: Request, context: RouteContext) => Promise<Response> {
  const baseLogger = spec.logger ?? processLogger;
  return instrumentRoute(async (request, routeContext) => {
    const requestId = newRequestId();
    let merchantId: string | undefined;
    try {
      const db = defaultDb();
      const principal = await authenticateApiKey(db, request.headers.get("authorization"));
      merchantId = observeMerchant(principal.merchantId);
      const retryAfter = rateLimiter().take(principal.apiKeyId);
      if (retryAfter > 0)
        throw new AppError(
          "rate_limited",
          `Rate limit exceeded for this API key; retry after ${retryAfter} s.`,
          {
            headers: { "retry-after": String(retryAfter) },
          },
        );

      const params = validate(spec.params ?? ANYTHING, await routeContext.params, "path") as TParams;
      // Without a query string there is nothing to parse (most requests): no URL object.
      const query = validate(
        spec.query ?? ANYTHING,
        request.url.includes("?") ? Object.fromEntries(new URL(request.url).searchParams) : {},
        "query",
      ) as TQuery;
      const rawBody = spec.body ? await readJsonBody(request) : undefined;
      const body = (spec.body ? validate(spec.body, rawBody ?? {}, "body") : undefined) as TBody;
      const run = (database: Db = db) =>
        spec.handler({
          ...principal,
          request,
          requestId,
          db: database,
          body,
          query,
          params,
          // Read only by the handlers that audit (walking X-Forwarded-For costs on every request).
          origin: {
            get clientAddress() {
              return clientIp(request.headers);
            },
            requestId,
          },
          get logger() {
            return requestLogger(baseLogger, requestId, principal.merchantId);
          },
        });

      const idempotencyKey = request.headers.get("idempotency-key");
      if (request.method !== "POST" || idempotencyKey === null) return json(await run(), requestId);
      const key = ZIdempotencyKey.safeParse(idempotencyKey);
      if (!key.success)
        throw new AppError("validation_failed", "Idempotency-Key must be 1–255 characters", {
          errors: [{ path: "Idempotency-Key", message: "must be 1–255 characters" }],
        });
      const settle = async (database?: Db) => {
        try {
          const result = await run(database);
          return { status: result.status ?? 200, body: result.body };
        } catch (error) {
          // A 4xx answer is the outcome of this request and is replayed like a success.
          if (error instanceof AppError && error.status < 500)
            return { status: error.status, body: toProblem(error) };
          throw error;
        }
      };
      const idempotency = {
        merchantId: principal.merchantId,
        key: key.data,
        method: request.method,
        path: new URL(request.url).pathname,
        body: rawBody,
      };
      const outcome = spec.atomicIdempotency
        ? // The handler's queries run on the transaction client (see atomicIdempotency).
          await withIdempotencyInTransaction(db, idempotency, (tx) => settle(tx as unknown as Db))
        : await withIdempotency(db, idempotency, () => settle());
      const response = new Response(JSON.stringify(outcome.body), {
        status: outcome.status,
        headers: {
          "content-type": outcome.status >= 400 ? "application/problem+json" : "application/json",
          "request-id": requestId,
          ...(outcome.replayed ? { "idempotent-replayed": "true" } : {}),
        },
      });
      return response;
    } catch (error) {
      if (error instanceof AppError) return problemResponse(error, requestId);
      // A client that hung up mid-body (a load generator stopping, a closed tab) is not our fault:
      // nobody reads the answer, and it is no server error.
      if (request.signal.aborted || (error instanceof Error && error.message === "aborted")) {
        requestLogger(baseLogger, requestId, merchantId).info("client closed the request", {
          method: request.method,
          url: request.url,
        });
        return problemResponse(new AppError("bad_request", "The client closed the request."), requestId);
      }
      const upstream = upstreamAppError(error);
      if (upstream) {
        requestLogger(baseLogger, requestId, merchantId).error(
          "upstream (chain node or database) failed during an API request",
          { method: request.method, url: request.url, error },
        );
        return problemResponse(upstream, requestId);
      }
      requestLogger(baseLogger, requestId, merchantId).error("unhandled error in API route", {
        method: request.method,
        url: request.url,
        error,
      });
      return problemResponse(
        new AppError(
          "internal_error",
          `Something went wrong on our side. Quote request id ${requestId} if you contact support.`,
        ),
        requestId,
      );
    }
  });
}

function json(result: ApiResult, requestId: string): Response {
  return new Response(JSON.stringify(result.body), {
    status: result.status ?? 200,
    headers: { "content-type": "application/json", "request-id": requestId },
  });
}

/** Reads a JSON body within MAX_BODY_BYTES; an empty body is `undefined`. */
async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES)
    throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  if (!request.body) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType))
    throw new AppError("unsupported_media_type", "Send JSON with Content-Type: application/json.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Path of the first string (or object key) holding a NUL character, which PostgreSQL text refuses. */
function nulPath(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, entry] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = nulPath(entry, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function validate<T>(schema: z.ZodType<T>, value: unknown, where: "body" | "query" | "path"): T {
  // Checked before the schema so no NUL byte ever reaches a query: the database would answer a 500.
  const withNul = nulPath(value);
  if (withNul) {
    if (where === "path") throw new AppError("not_found", "No such object.");
    const path = withNul.join(".") || where;
    throw new AppError("validation_failed", `Invalid ${where}: ${path}: must not contain NUL characters`, {
      errors: [{ path, message: "must not contain NUL characters" }],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || where,
    message: issue.message,
  }));
  const status = where === "path" ? "not_found" : "validation_failed";
  if (status === "not_found") throw new AppError("not_found", "No such object.");
  throw new AppError(
    "validation_failed",
    `Invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
    {
      errors,
    },
  );
}
