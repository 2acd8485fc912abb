import { randomUUID } from "node:crypto";
import { routeHandlerOf } from "./api-operations";

/**
 * One JSON request with an API key through the real route handler of `path` (OpenAPI form, e.g.
 * `/api/v1/payments/{id}/refund`); the handler is imported at call time, after the test's environment.
 */
export async function callApi(
  method: string,
  path: string,
  options: {
    apiKey: string;
    body?: unknown;
    params?: Record<string, string>;
    /** Default: a new one per call; null sends none. */
    idempotencyKey?: string | null;
  },
): Promise<Response> {
  const idempotencyKey = options.idempotencyKey === undefined ? randomUUID() : options.idempotencyKey;
  const params = options.params ?? {};
  const handler = await routeHandlerOf(path, method);
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
  return handler(
    new Request(`http://localhost${url}`, {
      method,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        "content-type": "application/json",
        ...(idempotencyKey === null ? {} : { "idempotency-key": idempotencyKey }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { params: Promise.resolve(params) },
  );
}
