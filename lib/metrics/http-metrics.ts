import { instruments } from "./registry";

type RouteParams = Record<string, string | string[] | undefined>;
type RouteContext = { params: Promise<RouteParams> };
type RouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The method as a label: the standard ones, anything else `other`. */
export function methodLabel(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : "other";
}

/** `2xx`, `4xx`, `5xx`… */
export function statusClass(status: number): string {
  return `${Math.trunc(status / 100)}xx`;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The route file's template of a request path, from the params Next matched: every segment equal
 * to a param's value becomes `[name]`, a catch-all's segments `[...name]`
 * (`/api/v1/payments/pay_1/refund` with `{ id: "pay_1" }` → `/api/v1/payments/[id]/refund`). The
 * other segments are the route file's static ones, so the label never holds an id.
 */
export function routeTemplate(pathname: string, params: RouteParams): string {
  const segments = pathname.split("/");
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      const start = segments.length - value.length;
      if (value.length > 0 && value.every((part, i) => decoded(segments[start + i] ?? "") === part))
        segments.splice(start, value.length, `[...${name}]`);
    } else if (value !== undefined)
      for (let i = 0; i < segments.length; i++)
        if (decoded(segments[i] ?? "") === value) segments[i] = `[${name}]`;
  }
  // Defence in depth: a segment no param explained and unlike a route file's folder name
  // (lower-case words) is not written out.
  return segments.map((segment) => (STATIC_SEGMENT.test(segment) ? segment : "[?]")).join("/") || "/";
}

const STATIC_SEGMENT = /^(|\[[.\w]+\]|(?!0x)[a-z][a-z0-9._-]{0,39})$/;

/** Records one answered request: its duration and count by route template, method and status class. */
export function observeHttpRequest(route: string, method: string, status: number, seconds: number): void {
  const labels = { route, method: methodLabel(method), status_class: statusClass(status) };
  const metrics = instruments();
  metrics.httpDuration.observe(labels, seconds);
  metrics.httpRequests.inc(labels);
}

/**
 * Wraps a route handler (lib/http's apiRoute and publicRoute) to record its duration, method and
 * status under the route's template. The wrapped handlers never throw (they render problem+json).
 */
export function measureRoute(handler: RouteHandler): RouteHandler {
  return async (request, context) => {
    const started = performance.now();
    const response = await handler(request, context);
    const params = ((await context?.params) ?? {}) as RouteParams;
    observeHttpRequest(
      routeTemplate(new URL(request.url).pathname, params),
      request.method,
      response.status,
      (performance.now() - started) / 1_000,
    );
    return response;
  };
}

/** One problem+json answer (lib/errors.ts `problemResponse`), by its error code and status. */
export function countProblem(code: string, status: number): void {
  instruments().problems.inc({ code, status: String(status) });
}
