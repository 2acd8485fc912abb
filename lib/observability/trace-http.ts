// The HTTP request span of lib/http's route wrappers, the request id they answer with, and the
// per-request child logger. Off (no OTEL_EXPORTER_OTLP_ENDPOINT), `traceRoute` calls the handler
// directly and the request id is the random `req_…` it always was.
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from "@opentelemetry/semantic-conventions";
import { randomChunk } from "../ids";
import { type Logger, withFields } from "../logger";
import { measureRoute, methodLabel, routeTemplate } from "../metrics/http-metrics";
import { ATTR_MERCHANT_ID } from "./attributes";
import { activeTraceId, activeTracer, inSpan, setSpanAttribute } from "./tracing";

type RouteParams = Record<string, string | string[] | undefined>;
type RouteContext = { params: Promise<RouteParams> };
type RouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

/**
 * Runs a route handler in a server span named after the route's template (`POST /api/v1/payments`),
 * with the method, path, route and answered status. A new trace per request: a client's
 * `traceparent` is not continued (the API is a trust boundary, and the trace id is the Request-Id,
 * which a client must not choose); a span already active (Next's own) is linked.
 */
export function traceRoute(handler: RouteHandler): RouteHandler {
  return (request, routeContext) => {
    const tracer = activeTracer();
    if (!tracer) return handler(request, routeContext);
    const method = methodLabel(request.method);
    const path = new URL(request.url).pathname;
    // Next's own request span continues a client's traceparent: linked, never the parent.
    const outer = trace.getSpan(context.active());
    return inSpan(
      tracer,
      method,
      {
        kind: SpanKind.SERVER,
        root: true,
        links: outer ? [{ context: outer.spanContext() }] : [],
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: path },
      },
      async (span) => {
        const response = await handler(request, routeContext);
        const route = routeTemplate(path, ((await routeContext?.params) ?? {}) as RouteParams);
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      },
    );
  };
}

/** The Request-Id of an answer: the trace id when tracing is on, a random `req_…` otherwise. */
export function newRequestId(): string {
  return activeTraceId() ?? `req_${randomChunk(9).toString("base64url")}`;
}

/** Notes the authenticated merchant on the request's span; returns it. */
export function observeMerchant(merchantId: string): string {
  setSpanAttribute(ATTR_MERCHANT_ID, merchantId);
  return merchantId;
}

/** The metrics (lib/metrics/http-metrics.ts) and the span of a route wrapper's handler. */
export function instrumentRoute(handler: RouteHandler): RouteHandler {
  return measureRoute(traceRoute(handler));
}

/**
 * The child logger of one request: every line carries its request id and merchant (once known);
 * the trace and span ids come from the log mixin while its span is active (lib/observability/tracing.ts).
 */
export function requestLogger(base: Logger, requestId: string, merchantId?: string): Logger {
  return withFields(base, merchantId === undefined ? { requestId } : { requestId, merchantId });
}
