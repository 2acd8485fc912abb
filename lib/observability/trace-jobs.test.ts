// Issue 20: background work in traces and metrics. An embedded job run is a root span with a span
// per step and the step's queries inside it; an Inngest function's step attempts are spans carrying
// the function, the step and the ids of the triggering event; Inngest runs are counted in
// ctrip_job_runs_total as the embedded runner's are.
import { InngestTestEngine } from "@inngest/test";
import { NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../testing/otlp-receiver";
import { testChain } from "../testing/test-chain";
import { ATTR_JOB, ATTR_JOB_STEP, ATTR_PAYMENT_ID } from "./attributes";

let database: TestDatabase;
let otlp: OtlpReceiver;
let tracing: typeof import("./tracing");
let processDb: typeof import("../db/client").db;
let createLogger: typeof import("../logger").createLogger;

beforeAll(async () => {
  database = await createTestDatabase();
  otlp = await startOtlpReceiver();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  vi.resetModules();
  tracing = await import("./tracing");
  expect(tracing.startTracing({ role: "worker", endpoint: otlp.endpoint, exportEachSpan: true })).toBe(true);
  ({ db: processDb } = await import("../db/client"));
  ({ createLogger } = await import("../logger"));
});
afterAll(async () => {
  await tracing?.stopTracing();
  vi.unstubAllEnvs();
  await processDb?.().$disconnect();
  await otlp?.close();
  await database?.drop();
});

async function exported(): Promise<ReceivedSpan[]> {
  await tracing.flushTraces();
  return otlp.spans;
}

async function jobRuns(job: string, outcome: string): Promise<number> {
  const { instruments } = await import("../metrics/registry");
  const { values } = await instruments().jobRuns.get();
  return values.find((value) => value.labels.job === job && value.labels.outcome === outcome)?.value ?? 0;
}

describe("embedded runner", () => {
  it("traces a run as a root span, each step as its child, and the step's queries inside the step", async () => {
    const { defineJob, jobStep } = await import("../jobs/define-job");
    const { startEmbeddedRunner } = await import("../jobs/embedded-runner");
    const { chainClient } = await import("../chains/public-client");
    const lines: string[] = [];
    const logger = createLogger({}, { level: "info", write: (line) => lines.push(line) });
    const job = defineJob({
      id: "trace-probe",
      intervalMs: () => 60_000,
      cron: "* * * * *",
      concurrency: { limit: 1 },
      steps: (context) => [
        jobStep("probe-step", async () => {
          context.logger.info("probe step ran");
          await chainClient(testChain()).getBlockNumber();
          return processDb().$queryRaw`SELECT 1 AS one`;
        }),
      ],
    });
    const before = await jobRuns("trace-probe", "succeeded");
    const runner = startEmbeddedRunner({
      jobs: [job],
      context: { db: processDb(), chains: [], logger },
      logger,
    });
    await vi.waitFor(() => expect(runner.runs.get("trace-probe")?.succeeded).toBe(1), { timeout: 20_000 });
    await runner.stop();
    expect(await jobRuns("trace-probe", "succeeded")).toBe(before + 1);

    const spans = await exported();
    const run = spans.find((span) => span.name === "job trace-probe");
    expect(run).toMatchObject({ parentSpanId: undefined, attributes: { [ATTR_JOB]: "trace-probe" } });
    const step = spans.find((span) => span.name === "step probe-step");
    expect(step).toMatchObject({
      traceId: run?.traceId,
      parentSpanId: run?.spanId,
      attributes: { [ATTR_JOB_STEP]: "probe-step" },
    });
    expect(spans).toContainEqual(
      expect.objectContaining({ name: "SELECT", traceId: run?.traceId, parentSpanId: step?.spanId }),
    );
    // The step's RPC call: method and chain, never the URL.
    const rpc = spans.find((span) => span.name === "eth_blockNumber" && span.parentSpanId === step?.spanId);
    expect(rpc?.attributes).toMatchObject({
      "rpc.system.name": "jsonrpc",
      "rpc.method": "eth_blockNumber",
      "ctrip.chain": "local",
      "ctrip.rpc.url_index": 0,
      "ctrip.rpc.outcome": "ok",
    });
    expect(JSON.stringify(rpc)).not.toContain("http://");
    // The job's child logger: the job's name and the run's trace.
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ message: "probe step ran", job: "trace-probe", trace_id: run?.traceId }),
    );
  });
});

describe("outside any span", () => {
  it("traces no query and no RPC call (a watcher's polling makes no traces of its own)", async () => {
    const { chainClient } = await import("../chains/public-client");
    await processDb().$queryRaw`SELECT 42 AS outside_any_span`;
    await chainClient(testChain()).getChainId();
    const spans = await exported();
    expect(
      spans.filter((span) => String(span.attributes["db.query.text"]).includes("outside_any_span")),
    ).toEqual([]);
    expect(spans.filter((span) => span.name === "eth_chainId" && span.parentSpanId === undefined)).toEqual(
      [],
    );
  });
});

describe("Inngest functions", () => {
  it("trace each step attempt with the function, step, run and event ids, and count succeeded runs", async () => {
    const { inngest } = await import("../../inngest/client");
    const probe = inngest.createFunction(
      { id: "trace-probe-inngest", triggers: [{ event: "test/probe" }] },
      async ({ step }) => step.run("look-up", () => processDb().$queryRaw`SELECT 2 AS two`),
    );
    const before = await jobRuns("trace-probe-inngest", "succeeded");
    const { error } = await new InngestTestEngine({ function: probe }).execute({
      events: [{ name: "test/probe", data: { payment_id: "pay_probe", secret: "nope" } }],
    });
    expect(error).toBeUndefined();
    expect(await jobRuns("trace-probe-inngest", "succeeded")).toBe(before + 1);

    const spans = await exported();
    const step = spans.find((span) => span.name === "step look-up");
    expect(step?.attributes).toMatchObject({
      [ATTR_JOB]: "trace-probe-inngest",
      [ATTR_JOB_STEP]: "look-up",
      [ATTR_PAYMENT_ID]: "pay_probe",
      "ctrip.inngest.run_id": expect.any(String),
    });
    // Only known ids of the event are attributes.
    expect(JSON.stringify(step?.attributes)).not.toContain("nope");
    expect(spans).toContainEqual(expect.objectContaining({ name: "SELECT", parentSpanId: step?.spanId }));
  });

  it("count a failed run as failed", async () => {
    const { inngest } = await import("../../inngest/client");
    const failing = inngest.createFunction(
      { id: "trace-probe-failing", triggers: [{ event: "test/probe" }], retries: 0 },
      async () => {
        throw new NonRetriableError("probe failure");
      },
    );
    const before = await jobRuns("trace-probe-failing", "failed");
    const { error } = await new InngestTestEngine({ function: failing }).execute({
      events: [{ name: "test/probe", data: {} }],
    });
    expect(error).toMatchObject({ message: "probe failure" });
    expect(await jobRuns("trace-probe-failing", "failed")).toBe(before + 1);
  });
});
