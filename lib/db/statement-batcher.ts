// Group commit for a hot write: the rows submitted during one turn of the event loop are written by
// one statement (one round trip, one commit, one pooled connection) instead of one each. Under a
// burst of concurrent requests the requests of a turn reach their write in the same turn, so the
// database parses, plans and commits once per batch; a lone request waits for nothing (the batch
// is sent at the end of the turn it was submitted in).
//
// Traces: with tracing on, every submitter gets a span of its own (the batcher's name, with the
// batch's size), from its submit to its result. The statement runs in the span of the batch's
// first traced item, so its query span is in that request's trace; the other items' spans link to
// that span ("written by this statement"). An item retried alone runs its statement in its own span.

import { type Context, context, type Span, SpanKind, trace } from "@opentelemetry/api";
import { ATTR_DB_OPERATION_BATCH_SIZE } from "@opentelemetry/semantic-conventions";
import { failSpan, tracerWithinSpan } from "../observability/tracing";

export type BatchStatement<Item, Result> = (items: Item[]) => Promise<Result[]>;

type Waiter<Item, Result> = {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
  /** The submitter's span and the context it was started in (tracing on, inside a span). */
  traced?: { span: Span; parent: Context };
};

/**
 * Submits items to `statement` in batches of at most `maxBatch`: one call per turn of the event
 * loop (per `maxBatch` items), each item resolved with its own result (`statement` returns one per
 * item, in order). When a batch fails, each of its items is run again alone, so one item's error
 * (a constraint, a bad value) is that item's alone and never fails the others; the statement must
 * write nothing when it fails (one statement is atomic).
 */
export class StatementBatcher<Item, Result> {
  readonly #statement: BatchStatement<Item, Result>;
  readonly #maxBatch: number;
  readonly #name: string;
  #waiting: Waiter<Item, Result>[] = [];
  #scheduled = false;

  /** `name`: the submitters' span name ("batch insert payments"). */
  constructor(statement: BatchStatement<Item, Result>, options: { maxBatch: number; name: string }) {
    this.#statement = statement;
    this.#maxBatch = options.maxBatch;
    this.#name = options.name;
  }

  submit(item: Item): Promise<Result> {
    const tracer = tracerWithinSpan();
    return new Promise<Result>((resolve, reject) => {
      if (!tracer) {
        this.#waiting.push({ item, resolve, reject });
      } else {
        const parent = context.active();
        const span = tracer.startSpan(this.#name, { kind: SpanKind.INTERNAL }, parent);
        this.#waiting.push({
          item,
          resolve: (result) => {
            span.end();
            resolve(result);
          },
          reject: (error) => {
            failSpan(span, error);
            span.end();
            reject(error);
          },
          traced: { span, parent },
        });
      }
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (let start = 0; start < waiting.length; start += this.#maxBatch)
      void this.#send(waiting.slice(start, start + this.#maxBatch));
  }

  async #send(batch: Waiter<Item, Result>[]): Promise<void> {
    try {
      const results = await this.#run(batch);
      if (results.length !== batch.length)
        throw new Error(`batched statement answered ${results.length} results for ${batch.length} items`);
      batch.forEach((entry, index) => {
        entry.resolve(results[index] as Result);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const entry of batch) entry.traced?.span.addEvent("batch failed: retried alone");
      await Promise.all(batch.map((entry) => this.#send([entry])));
    }
  }

  /** The statement for `batch`, in the span of its first traced item, which the others link to. */
  #run(batch: Waiter<Item, Result>[]): Promise<Result[]> {
    const run = () => this.#statement(batch.map((entry) => entry.item));
    const carrier = batch.find((entry) => entry.traced)?.traced;
    if (!carrier) return run();
    for (const { traced } of batch) {
      if (!traced) continue;
      traced.span.setAttribute(ATTR_DB_OPERATION_BATCH_SIZE, batch.length);
      if (traced !== carrier) traced.span.addLink({ context: carrier.span.spanContext() });
    }
    return context.with(trace.setSpan(carrier.parent, carrier.span), run);
  }
}
