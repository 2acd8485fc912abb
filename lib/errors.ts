// The one error type of the application. Services throw it; the route wrapper renders it as
// application/problem+json (RFC 9457). Anything else that escapes is a bug: a generic 500.

export const ERROR_CODES = {
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_conflict: 409,
  invalid_state: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  /** No exchange rate can be had: every source failed and the last stored rate is stale (lib/rates). */
  rate_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const TITLES: Record<ErrorCode, string> = {
  invalid_json: "Malformed JSON",
  bad_request: "Bad request",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  idempotency_conflict: "Idempotency key reused",
  invalid_state: "Invalid state",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  internal_error: "Internal server error",
  service_unavailable: "Service unavailable",
  rate_unavailable: "Exchange rate unavailable",
};

export type FieldError = { path: string; message: string };

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.code = code;
    this.status = ERROR_CODES[code];
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  request_id?: string;
};

export function toProblem(error: AppError, requestId?: string): Problem {
  return {
    type: `https://docs.ctrip.dev/errors/${error.code}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}

export function problemResponse(error: AppError, requestId?: string): Response {
  return new Response(JSON.stringify(toProblem(error, requestId)), {
    status: error.status,
    headers: {
      "content-type": "application/problem+json",
      ...(requestId ? { "request-id": requestId } : {}),
      ...error.headers,
    },
  });
}
