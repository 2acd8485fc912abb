// The batcher with tracing on: each submitter's span, the statement in the span of the batch's
// first item (the others link to it), and a failed batch's items run again each in its own span.
import { setImmediate as nextTurn } from "node:timers/promises";
import { context, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../testing/otlp-receiver";
import { StatementBatcher } from "./statement-batcher";

let otlp: OtlpReceiver;
let tracing: typeof import("../observability/tracing");

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  tracing = await import("../observability/tracing");
  expect(tracing.startTracing({ role: "web", endpoint: otlp.endpoint, exportEachSpan: true })).toBe(true);
});
afterAll(async () => {
  await tracing?.stopTracing();
  await otlp?.close();
});

/** A statement that records the span active in each call and refuses any call holding `bad`. */
function recording(bad: number) {
  const calls: { items: number[]; spanId: string | undefined }[] = [];
  const statement = async (items: number[]) => {
    calls.push({ items, spanId: trace.getSpan(context.active())?.spanContext().spanId });
    await nextTurn();
    if (items.includes(bad)) throw new Error(`item ${bad} refused`);
    return items.map((item) => item * 10);
  };
  return { calls, statement };
}

/** Submits each item from a request span of its own (a root span, as each API request has). */
function submitFromRequests(batcher: StatementBatcher<number, number>, name: string, items: number[]) {
  const tracer = trace.getTracer("test");
  return Promise.allSettled(
    items.map((item) =>
      tracer.startActiveSpan(`${name} request ${item}`, { root: true }, async (span) => {
        try {
          return await batcher.submit(item);
        } finally {
          span.end();
        }
      }),
    ),
  );
}

async function exported(): Promise<ReceivedSpan[]> {
  await tracing.flushTraces();
  return otlp.spans;
}

/** Per item, its request span and the batcher's span (`name`) in the same trace. */
async function itemSpans(name: string, items: number[]) {
  const spans = await exported();
  return items.map((item) => {
    const request = spans.find((span) => span.name === `${name} request ${item}`);
    const part = spans.find((span) => span.name === name && span.traceId === request?.traceId);
    return { request, part };
  });
}

describe("StatementBatcher with tracing on", () => {
  it("gives each item a span in its request's trace; the statement runs in the first one's, the others link to it", async () => {
    const { calls, statement } = recording(-1);
    const batcher = new StatementBatcher(statement, { maxBatch: 10, name: "batch one" });
    const outcomes = await submitFromRequests(batcher, "batch one", [1, 2, 3]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    const parts = (await itemSpans("batch one", [1, 2, 3])).map(({ request, part }) => {
      expect(part).toMatchObject({ parentSpanId: request?.spanId, kind: 1, status: 0 });
      expect(part?.attributes["db.operation.batch.size"]).toBe(3);
      return part;
    });
    expect(calls).toEqual([{ items: [1, 2, 3], spanId: parts[0]?.spanId }]);
    expect(parts.map((part) => part?.links)).toEqual([
      [],
      [{ traceId: parts[0]?.traceId, spanId: parts[0]?.spanId }],
      [{ traceId: parts[0]?.traceId, spanId: parts[0]?.spanId }],
    ]);
  });

  it("runs a failed batch's items again each in its own span, marked, and fails only the bad one's", async () => {
    const { calls, statement } = recording(2);
    const batcher = new StatementBatcher(statement, { maxBatch: 10, name: "batch two" });
    const outcomes = await submitFromRequests(batcher, "batch two", [1, 2, 3]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const parts = (await itemSpans("batch two", [1, 2, 3])).map(({ part }) => part);
    expect(calls).toEqual([
      { items: [1, 2, 3], spanId: parts[0]?.spanId },
      { items: [1], spanId: parts[0]?.spanId },
      { items: [2], spanId: parts[1]?.spanId },
      { items: [3], spanId: parts[2]?.spanId },
    ]);
    expect(parts.map((part) => part?.events)).toEqual([
      ["batch failed: retried alone"],
      ["batch failed: retried alone"],
      ["batch failed: retried alone"],
    ]);
    expect(parts.map((part) => part?.status)).toEqual([0, 2, 0]);
    expect(parts.map((part) => part?.attributes["db.operation.batch.size"])).toEqual([1, 1, 1]);
  });

  it("opens no span for an item submitted outside any span (a job's write outside a trace)", async () => {
    const { calls, statement } = recording(-1);
    const batcher = new StatementBatcher(statement, { maxBatch: 10, name: "batch three" });
    expect(await Promise.all([batcher.submit(1), batcher.submit(2)])).toEqual([10, 20]);
    expect(calls).toEqual([{ items: [1, 2], spanId: undefined }]);
    expect((await exported()).filter((span) => span.name === "batch three")).toEqual([]);
  });
});
