// OpenTelemetry traces (issue 20): on only when OTEL_EXPORTER_OTLP_ENDPOINT is set, exported with
// OTLP/HTTP (JSON) to `<endpoint>/v1/traces`. Off, nothing is registered and every hook of
// lib/observability returns after one check of `activeTracer()`: no span, no context, no await.
// Started by instrumentation.ts (web server) and scripts/worker.ts, before the database and the
// chains are used.
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import {
  ATTR_ERROR_TYPE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from "@opentelemetry/semantic-conventions";
import { shortMessage } from "../chains/rpc-error";
import { env, type TEnv } from "../config/env";
import { type LogFields, redactUrlPasswords, setLogMixin } from "../logger";

export type TracingRole = "web" | "worker";
export type TracingOptions = {
  role: TracingRole;
  /** Defaults to OTEL_EXPORTER_OTLP_ENDPOINT; unset = tracing stays off. */
  endpoint?: string;
  serviceName?: string;
  /** Export each span as it ends instead of in batches (tests). */
  exportEachSpan?: boolean;
};
type TracingState = { tracer: Tracer; provider: NodeTracerProvider };

// On globalThis: Next's dev-mode reloads and a second import of this module share one provider.
const globalForTracing = globalThis as unknown as { ctripTracing?: TracingState };

/** The tracer when tracing is on, undefined otherwise (the one check every hook makes). */
export function activeTracer(): Tracer | undefined {
  return globalForTracing.ctripTracing?.tracer;
}

/** Registers the SDK when an endpoint is configured; true when tracing is on. Idempotent. */
export function startTracing(options: TracingOptions): boolean {
  if (globalForTracing.ctripTracing) return true;
  let config: TEnv;
  try {
    config = env();
  } catch {
    return false; // the startup checks that follow report the configuration error
  }
  const endpoint = options.endpoint ?? config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return false;
  // OTLP/HTTP JSON; headers (OTEL_EXPORTER_OTLP_HEADERS) and timeouts come from the SDK's own variables.
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` });
  const processor: SpanProcessor = options.exportEachSpan
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName ?? config.OTEL_SERVICE_NAME,
      [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? "0.0.0",
      "ctrip.process.role": options.role,
    }),
    spanProcessors: [processor],
  });
  // Async-local-storage context and the W3C trace context propagator, process-wide.
  provider.register();
  globalForTracing.ctripTracing = { provider, tracer: provider.getTracer("ctrip-pay") };
  setLogMixin(traceFields);
  return true;
}

/** Flushes the spans not yet exported and turns tracing off (shutdown, tests). */
export async function stopTracing(): Promise<void> {
  const state = globalForTracing.ctripTracing;
  if (!state) return;
  globalForTracing.ctripTracing = undefined;
  setLogMixin(() => ({}));
  await state.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

/** Exports the spans ended so far (tests; a worker before it exits). */
export async function flushTraces(): Promise<void> {
  await globalForTracing.ctripTracing?.provider.forceFlush();
}

/**
 * The log mixin: the active span's trace and span id in every line written inside it. A new object
 * each time: pino merges the line's own fields into it.
 */
function traceFields(): LogFields {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * The tracer when tracing is on and a span is active: queries and RPC calls are traced only as
 * part of something (a request, a job step), never as traces of their own (a scanner's polling).
 */
export function tracerWithinSpan(): Tracer | undefined {
  const tracer = activeTracer();
  return tracer && trace.getSpan(context.active()) ? tracer : undefined;
}

/** The trace id of the active span, if tracing is on and a span is active. */
export function activeTraceId(): string | undefined {
  if (!activeTracer()) return undefined;
  return trace.getSpan(context.active())?.spanContext().traceId;
}

/** Sets one attribute on the active span (a no-op when tracing is off: two strings, no object). */
export function setSpanAttribute(key: string, value: string | number | boolean): void {
  if (!activeTracer()) return;
  trace.getSpan(context.active())?.setAttribute(key, value);
}

/**
 * Runs `work` in a new active span (a child of the active one, or of `parent`), recording a thrown
 * error and ending the span however `work` ends. Callers check `activeTracer()` first.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions & { parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, options.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span as failed by an error (its type and first line; never its stack or data). */
export function failSpan(span: Span, error: unknown): void {
  // viem's full message holds the RPC URL (maybe a provider key) and the request: its short one.
  span.setStatus({ code: SpanStatusCode.ERROR, message: redactUrlPasswords(shortMessage(error)) });
  span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : "Error");
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of the active span (stored with events), or null. */
export function activeTraceParent(): string | null {
  if (!activeTracer()) return null;
  const span = trace.getSpan(context.active());
  if (!span) return null;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, "0")}`;
}

/** A context whose remote parent is a stored `traceparent`; the root context for none or a bad one. */
export function contextOfTraceParent(traceParent: string | null | undefined): Context {
  const match = traceParent ? TRACEPARENT.exec(traceParent) : null;
  if (!match || /^0+$/.test(match[1] as string) || /^0+$/.test(match[2] as string)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16),
    isRemote: true,
  });
}
