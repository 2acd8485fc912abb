// A client span per JSON-RPC call of the RPC pool (lib/chains/rpc-pool.ts, next to its metric):
// chain, method and the URL's index in chains.yaml. Never the URL itself: it may hold a provider key.
// Only within a span (a request, a job step): a watcher's polling outside one is not traced.
import { SpanKind } from "@opentelemetry/api";
import { ATTR_RPC_METHOD, ATTR_RPC_SYSTEM_NAME } from "@opentelemetry/semantic-conventions";
import type { RpcOutcome } from "../metrics/work-metrics";
import { ATTR_CHAIN } from "./attributes";
import { failSpan, tracerWithinSpan } from "./tracing";

type EndRpcSpan = (outcome: RpcOutcome, error?: Error) => void;
const NOTHING_TO_END: EndRpcSpan = () => {};

/** Starts the span of one RPC call; the returned function ends it with its outcome. */
export function startRpcSpan(chain: string, method: string, urlIndex: number): EndRpcSpan {
  const tracer = tracerWithinSpan();
  if (!tracer) return NOTHING_TO_END;
  const span = tracer.startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_RPC_SYSTEM_NAME]: "jsonrpc",
      [ATTR_RPC_METHOD]: method,
      [ATTR_CHAIN]: chain,
      "ctrip.rpc.url_index": urlIndex,
    },
  });
  return (outcome, error) => {
    span.setAttribute("ctrip.rpc.outcome", outcome);
    if (outcome !== "ok") failSpan(span, error ?? new Error(outcome));
    span.end();
  };
}
