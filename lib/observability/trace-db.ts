// A client span per database query (next to the query timer of lib/metrics/db-metrics.ts). Queries
// are parameterised (Prisma, tagged raw SQL): the text holds no values, and the values are never
// recorded. Installed only when tracing is on when the pool opens; a query outside any span (a
// startup check) is not traced.
import { type Span, SpanKind, type Tracer } from "@opentelemetry/api";
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from "@opentelemetry/semantic-conventions";
import type { Pool, PoolClient } from "pg";
import { activeTracer, failSpan, tracerWithinSpan } from "./tracing";

type QueryFunction = (...args: unknown[]) => unknown;
const MAX_QUERY_TEXT = 2_000;

/**
 * Spans for the queries of a pg pool: `pool.query` (Prisma outside transactions) is traced where it
 * is called, so the span's parent is the caller's span even when the query waits for a connection
 * and pg-pool dispatches it from another request's callback; a checked-out client's own queries
 * (Prisma's transactions) are traced too, but not the dispatch of `pool.query` on it (one span).
 */
export function tracePool(pool: Pool): void {
  if (!activeTracer()) return;
  pool.query = traced(pool.query as QueryFunction) as Pool["query"];
  pool.on("connect", (client: PoolClient) => traceQueriesOf(client));
}

/** Spans for the queries of one connection (a pooled one, or a pipelined reader's). */
export function traceQueriesOf(client: Pick<PoolClient, "query">): void {
  if (!activeTracer()) return;
  client.query = traced(client.query as QueryFunction, { skipCallbacks: true }) as PoolClient["query"];
}

function traced(query: QueryFunction, options: { skipCallbacks?: boolean } = {}): QueryFunction {
  return function tracedQuery(this: unknown, ...args: unknown[]) {
    const callback = args.at(-1);
    const tracer = tracerWithinSpan();
    if (!tracer || (options.skipCallbacks && typeof callback === "function")) return query.apply(this, args);
    const span = startQuerySpan(tracer, args[0]);
    const end = (error: unknown) => {
      if (error) failSpan(span, error);
      span.end();
    };
    if (typeof callback === "function")
      args[args.length - 1] = function endingCallback(this: unknown, error: unknown, ...rest: unknown[]) {
        end(error);
        return callback.call(this, error, ...rest);
      };
    let result: unknown;
    try {
      result = query.apply(this, args);
    } catch (error) {
      end(error);
      throw error;
    }
    if (result instanceof Promise)
      result.then(
        () => end(null),
        (error: unknown) => end(error ?? new Error("query failed")),
      );
    return result;
  };
}

function startQuerySpan(tracer: Tracer, config: unknown): Span {
  const text =
    typeof config === "string"
      ? config
      : config && typeof config === "object" && "text" in config && typeof config.text === "string"
        ? config.text
        : "";
  const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
  return tracer.startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_TEXT]: text.slice(0, MAX_QUERY_TEXT),
    },
  });
}
