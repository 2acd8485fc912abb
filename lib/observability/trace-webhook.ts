// The span of one webhook attempt. Its parent is the span that recorded the event (the traceparent
// stored with it, lib/events/record-event.ts), so a payment's creation and the webhooks it causes
// share one trace; the job that runs the attempt is linked. The merchant's endpoint is not sent a
// `traceparent`: it is another party, our trace ids are internal, and the signed headers are the contract.
import { context, type Link, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
} from "@opentelemetry/semantic-conventions";
import { ATTR_EVENT_ID, ATTR_MERCHANT_ID, ATTR_WEBHOOK_DELIVERY_ID, objectIdAttribute } from "./attributes";
import { activeTracer, contextOfTraceParent, inSpan } from "./tracing";

export type TracedWebhookAttempt = {
  deliveryId: string;
  url: string;
  event: { id: string; type: string; objectId: string; merchantId: string; traceParent: string | null };
};
type AttemptOutcome = {
  status: string;
  attemptNumber: number;
  result: { statusCode: number | null; succeeded: boolean } | null;
};

/** Runs one attempt in its span (`webhook <event type>`); `send` when tracing is off. */
export function traceWebhookAttempt<T extends AttemptOutcome>(
  attempt: TracedWebhookAttempt,
  send: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return send();
  const { event } = attempt;
  const runner = trace.getSpan(context.active());
  const links: Link[] = event.traceParent && runner ? [{ context: runner.spanContext() }] : [];
  const objectAttribute = objectIdAttribute(event.objectId);
  return inSpan(
    tracer,
    `webhook ${event.type}`,
    {
      kind: SpanKind.CLIENT,
      parent: event.traceParent ? contextOfTraceParent(event.traceParent) : context.active(),
      links,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: "POST",
        // The host only: a URL's path or query may hold the merchant's own token.
        [ATTR_SERVER_ADDRESS]: hostOf(attempt.url),
        [ATTR_WEBHOOK_DELIVERY_ID]: attempt.deliveryId,
        [ATTR_EVENT_ID]: event.id,
        "ctrip.event.type": event.type,
        [ATTR_MERCHANT_ID]: event.merchantId,
        ...(objectAttribute ? { [objectAttribute]: event.objectId } : {}),
      },
    },
    async (span) => {
      const outcome = await send();
      span.setAttribute("ctrip.webhook.attempt", outcome.attemptNumber);
      span.setAttribute("ctrip.webhook.status", outcome.status);
      if (outcome.result?.statusCode != null)
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.result.statusCode);
      if (!outcome.result?.succeeded) span.setStatus({ code: SpanStatusCode.ERROR });
      return outcome;
    },
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "invalid";
  }
}
