import { createTestClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { type EmbeddedRunner, startEmbeddedRunner } from "./embedded-runner";
import { chainHeartbeatJob, chainScanJob, type Job, type JobContext, payoutJob, sweepJob } from "./jobs";

let database: TestDatabase;
const runners: EmbeddedRunner[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await database.drop();
});

/** A logger that keeps its lines, to assert on what the runner reported. */
function captureLogger() {
  const lines: Array<{ level: string; message: string; [field: string]: unknown }> = [];
  const logger = createLogger({}, { level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function start(jobs: Job[], context: Partial<JobContext> = {}, backoff = { initialMs: 20, maxMs: 80 }) {
  const { logger, lines } = captureLogger();
  const runner = startEmbeddedRunner({
    jobs,
    context: { db: database.db, chains: [testChain()], logger, ...context },
    logger,
    backoff,
  });
  runners.push(runner);
  return { runner, lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("embedded runner", () => {
  it("drives the chain heartbeat: the cursor appears and follows the chain", async () => {
    const anvil = createTestClient({ mode: "anvil", transport: http(inject("anvilRpcUrl")) });
    const { runner } = start([chainHeartbeatJob]);
    const cursor = () => database.db.chainCursor.findUnique({ where: { chain: "local" } });

    await expect.poll(async () => (await cursor())?.headBlock ?? null, { timeout: 10_000 }).not.toBeNull();
    const first = (await cursor())?.headBlock ?? 0n;

    await anvil.mine({ blocks: 3 });
    // blockTime 1 s: the next beat comes about a second later, without any call from the test.
    await expect
      .poll(async () => (await cursor())?.headBlock ?? 0n, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(first + 3n);
    expect(runner.runs.get("chain-heartbeat")?.succeeded).toBeGreaterThanOrEqual(2);
    await runner.stop();
  });

  it("keeps recording healthy chains when another chain's RPC fails, and reports the failure", async () => {
    const healthy = testChain({ name: "healthy" });
    const broken = testChain({ name: "broken", chainId: 999, rpcUrls: ["http://127.0.0.1:1"] });
    const { runner, lines } = start([chainHeartbeatJob], { chains: [broken, healthy] });

    await expect
      .poll(() => runner.runs.get("chain-heartbeat")?.failed ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    await runner.stop();

    const cursors = await database.db.chainCursor.findMany({
      where: { chain: { in: ["healthy", "broken"] } },
      orderBy: { chain: "asc" },
    });
    expect(cursors).toMatchObject([
      {
        chain: "broken",
        chainId: 999,
        headBlock: null,
        lastError: expect.stringMatching(/HTTP request failed/),
      },
      { chain: "healthy", lastError: null, headBlock: expect.any(BigInt) },
    ]);
    expect(runner.runs.get("chain-heartbeat")?.lastError).toBeInstanceOf(AggregateError);
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "job step failed", chain: "broken", step: "record-head-broken" }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "job failed, retrying", job: "chain-heartbeat" }),
    );
  });

  it("retries a failing job with exponential backoff, then returns to its interval, never overlapping", async () => {
    const starts: number[] = [];
    const ends: number[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const flaky: Job = {
      name: "flaky",
      intervalMs: () => 0,
      async run() {
        starts.push(performance.now());
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        try {
          await sleep(30);
          if (starts.length <= 4) throw new Error(`failure ${starts.length}`);
        } finally {
          concurrent -= 1;
          ends.push(performance.now());
        }
      },
    };
    const { runner, lines } = start([flaky], {}, { initialMs: 40, maxMs: 100 });

    await expect
      .poll(() => runner.runs.get("flaky")?.succeeded ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    await runner.stop();

    expect(maxConcurrent).toBe(1);
    // Delay between the end of failed run n and the next start: 40, 80, then capped at 100 ms.
    const expectedBackoff = [40, 80, 100, 100];
    expectedBackoff.forEach((delay, index) => {
      const gap = (starts[index + 1] ?? Number.NaN) - (ends[index] ?? Number.NaN);
      expect(gap).toBeGreaterThanOrEqual(delay - 2);
    });
    const stats = runner.runs.get("flaky");
    expect(stats).toMatchObject({ failed: 4, consecutiveFailures: 0, lastError: null, running: false });
    expect(
      lines.filter((line) => line.message === "job failed, retrying").map((line) => line.retryInMs),
    ).toEqual(expectedBackoff);
    expect(lines).toContainEqual(expect.objectContaining({ message: "job recovered", afterFailures: 4 }));
  });

  it("caps a job's backoff at its own maxBackoffMs (chain jobs: a few blocks, so an RPC outage ends in seconds)", async () => {
    let runs = 0;
    const failing: Job = {
      name: "capped",
      intervalMs: () => 0,
      maxBackoffMs: () => 50,
      async run() {
        runs += 1;
        if (runs <= 4) throw new Error(`failure ${runs}`);
      },
    };
    const { runner, lines } = start([failing], {}, { initialMs: 40, maxMs: 60_000 });
    await expect
      .poll(() => runner.runs.get("capped")?.succeeded ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    await runner.stop();
    expect(
      lines.filter((line) => line.message === "job failed, retrying").map((line) => line.retryInMs),
    ).toEqual([40, 50, 50, 50]);

    // Regression (RPC outage scenario): after 60 s without a node the scanner retried only every
    // 32–60 s, so scanning resumed up to a minute after the node was back.
    const context = {
      db: database.db,
      chains: [testChain({ blockTime: 1 })],
      logger: captureLogger().logger,
    };
    for (const job of [chainHeartbeatJob, chainScanJob, sweepJob, payoutJob])
      expect(job.maxBackoffMs?.(context), job.name).toBe(5_000);
    expect(chainScanJob.maxBackoffMs?.({ ...context, chains: [testChain({ blockTime: 12 })] })).toBe(15_000);
  });

  it("stop() waits for the run in flight and prevents any further run", async () => {
    let release = () => {};
    let finished = false;
    const slow: Job = {
      name: "slow",
      intervalMs: () => 0,
      async run() {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished = true;
      },
    };
    const { runner } = start([slow]);
    await expect.poll(() => runner.runs.get("slow")?.running, { timeout: 10_000 }).toBe(true);

    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await sleep(50);
    expect(stopped).toBe(false);

    release();
    await stopping;
    expect(finished).toBe(true);
    await sleep(50);
    expect(runner.runs.get("slow")).toMatchObject({
      started: 1,
      succeeded: 1,
      running: false,
      nextRunAt: null,
    });
  });
});
