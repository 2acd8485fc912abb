// Spans of background work: one per embedded job run (`job <name>`) and one per job step
// (`step <id>`), in the embedded runner (lib/jobs) and in the Inngest functions (inngest/observability-middleware.ts).
// Work that a job does for an event (a webhook attempt) is parented to the event's trace instead
// (lib/observability/trace-webhook.ts) and linked to the step running it.
import { SpanKind } from "@opentelemetry/api";
import {
  ATTR_CHAIN,
  ATTR_JOB,
  ATTR_JOB_STEP,
  ATTR_MERCHANT_ID,
  ATTR_PAYMENT_ID,
  ATTR_PAYOUT_ID,
  ATTR_WEBHOOK_DELIVERY_ID,
} from "./attributes";
import { activeTracer, inSpan } from "./tracing";

/** Runs one embedded job run in its span (a new trace: a timer, not a request, started it). */
export function traceJobRun<T>(job: string, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return run();
  return inSpan(
    tracer,
    `job ${job}`,
    { kind: SpanKind.INTERNAL, root: true, attributes: { [ATTR_JOB]: job } },
    () => run(),
  );
}

/** Runs one step in its span, a child of the active one (the job run); `chain` for a chain step. */
export function traceJobStep<T>(step: string, run: () => Promise<T>, chain?: string): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return run();
  const attributes =
    chain === undefined ? { [ATTR_JOB_STEP]: step } : { [ATTR_JOB_STEP]: step, [ATTR_CHAIN]: chain };
  return inSpan(tracer, `step ${step}`, { kind: SpanKind.INTERNAL, attributes }, () => run());
}

const EVENT_ID_ATTRIBUTES: Record<string, string> = {
  payment_id: ATTR_PAYMENT_ID,
  payout_id: ATTR_PAYOUT_ID,
  merchant_id: ATTR_MERCHANT_ID,
  delivery_id: ATTR_WEBHOOK_DELIVERY_ID,
};

/**
 * Runs one step of an Inngest function in its span: the function, the step, the run id and the ids
 * its triggering event names (payment, payout, merchant, webhook delivery).
 */
export function traceInngestStep<T>(
  step: { job: string; step: string; runId: string; eventData: unknown },
  run: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return run();
  const attributes: Record<string, string> = {
    [ATTR_JOB]: step.job,
    [ATTR_JOB_STEP]: step.step,
    "ctrip.inngest.run_id": step.runId,
  };
  if (step.eventData && typeof step.eventData === "object")
    for (const [key, value] of Object.entries(step.eventData))
      if (typeof value === "string" && EVENT_ID_ATTRIBUTES[key]) attributes[EVENT_ID_ATTRIBUTES[key]] = value;
  return inSpan(tracer, `step ${step.step}`, { kind: SpanKind.INTERNAL, attributes }, () => run());
}
