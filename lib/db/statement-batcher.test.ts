// The batcher alone, with a statement that records its calls (the payment insert it batches is
// tested against PostgreSQL in lib/payments/payment-insert-batch.test.ts).
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { StatementBatcher } from "./statement-batcher";

function recording(fail: (item: number) => boolean = () => false) {
  const calls: number[][] = [];
  const statement = async (items: number[]) => {
    calls.push(items);
    await nextTurn();
    const bad = items.find(fail);
    if (bad !== undefined) throw new Error(`item ${bad} refused`);
    return items.map((item) => item * 10);
  };
  return { calls, statement };
}

describe("StatementBatcher", () => {
  it("sends the items of one turn as one statement, each resolved with its own result", async () => {
    const { calls, statement } = recording();
    const batcher = new StatementBatcher(statement, { maxBatch: 10, name: "test batch" });
    const results = await Promise.all([1, 2, 3, 4].map((item) => batcher.submit(item)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
  });

  it("sends items of later turns in later statements; a lone item waits only for the end of its turn", async () => {
    const { calls, statement } = recording();
    const batcher = new StatementBatcher(statement, { maxBatch: 10, name: "test batch" });
    const first = batcher.submit(1);
    await nextTurn();
    const second = [batcher.submit(2), batcher.submit(3)];
    expect(await first).toBe(10);
    expect(await Promise.all(second)).toEqual([20, 30]);
    expect(calls).toEqual([[1], [2, 3]]);
  });

  it("splits a turn's items into statements of at most maxBatch", async () => {
    const { calls, statement } = recording();
    const batcher = new StatementBatcher(statement, { maxBatch: 3, name: "test batch" });
    const items = [1, 2, 3, 4, 5, 6, 7];
    expect(await Promise.all(items.map((item) => batcher.submit(item)))).toEqual(items.map((i) => i * 10));
    expect(calls).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it("runs each item of a failed batch alone: only the bad one fails, with its own error", async () => {
    const { calls, statement } = recording((item) => item === 2);
    const batcher = new StatementBatcher(statement, { maxBatch: 10, name: "test batch" });
    const results = await Promise.allSettled([1, 2, 3].map((item) => batcher.submit(item)));
    expect(results).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: new Error("item 2 refused") },
      { status: "fulfilled", value: 30 },
    ]);
    expect(calls).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it("fails every item when the statement answers a result per item wrongly", async () => {
    const batcher = new StatementBatcher(async (items: number[]) => items.slice(1), {
      maxBatch: 10,
      name: "test batch",
    });
    const results = await Promise.allSettled([1, 2].map((item) => batcher.submit(item)));
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
  });
});
