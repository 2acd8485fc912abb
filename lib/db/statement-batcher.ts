// Group commit for a hot write: the rows submitted during one turn of the event loop are written by
// one statement (one round trip, one commit, one pooled connection) instead of one each. Under a
// burst of concurrent requests the requests of a turn reach their write in the same turn, so the
// database parses, plans and commits once per batch; a lone request waits for nothing (the batch
// is sent at the end of the turn it was submitted in). The statement runs in the context of the
// item that opened the batch: with tracing on, its query span is in that request's trace.

export type BatchStatement<Item, Result> = (items: Item[]) => Promise<Result[]>;

type Waiter<Item, Result> = {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
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
  #waiting: Waiter<Item, Result>[] = [];
  #scheduled = false;

  constructor(statement: BatchStatement<Item, Result>, options: { maxBatch: number }) {
    this.#statement = statement;
    this.#maxBatch = options.maxBatch;
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
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
      const results = await this.#statement(batch.map((entry) => entry.item));
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
      await Promise.all(batch.map((entry) => this.#send([entry])));
    }
  }
}
