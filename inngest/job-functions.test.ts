// Inngest mode, without an Inngest server (its dev server cannot run here): every job the embedded
// runner drives has its Inngest function with the declared trigger and concurrency, and each
// function's steps, executed by @inngest/test, do their work on a real database and Anvil.
import { InngestTestEngine } from "@inngest/test";
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineJob, type JobDefinition, jobStep } from "../lib/jobs/define-job";
import { chainScanJob, idempotencyCleanupJob, type JobContext, jobs } from "../lib/jobs/jobs";
import { createLogger } from "../lib/logger";
import { createTestDatabase, type TestDatabase } from "../lib/testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../lib/testing/scanner-fixture";
import { functions } from "./functions";
import { chainJobEvent, createJobFunction, inngestConcurrency } from "./job-functions";

let database: TestDatabase;
let fx: ScannerFixture;
let context: JobContext;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  process.env.PUBLIC_URL ??= BASE_URL;
  // The balance check runs on every scan here (it is due every 10 scanned blocks by default).
  context = {
    db: database.db,
    chains: [{ ...fx.chain, balanceCheckBlocks: 1 }],
    logger: createLogger({}, { level: "error", write: () => {} }),
  };
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const cronEvent = (job: JobDefinition) => ({ name: "inngest/scheduled.timer", data: { cron: job.cron } });

/** The ids of the steps a declaration runs for a cron run (chain steps for every chain, then its own). */
function declaredStepIds(job: JobDefinition): string[] {
  const chainStepIds = job.loop
    ? []
    : context.chains.flatMap((chain) => job.chainSteps?.(context, chain).map((step) => step.id) ?? []);
  return [...chainStepIds, ...(job.steps?.(context).map((step) => step.id) ?? [])];
}

describe("one declaration, two runners", () => {
  it("every job the embedded runner drives has its Inngest function with the declared triggers and concurrency", () => {
    const served = new Map(functions.map((fn) => [fn.opts.id, fn.opts]));
    expect(jobs.length).toBeGreaterThanOrEqual(7);
    for (const job of jobs) {
      const opts = served.get(job.id);
      expect(opts, `no Inngest function for the job ${job.id}`).toBeDefined();
      const triggers = opts?.triggers as ({ cron?: string; event?: string; name?: string } | undefined)[];
      expect(triggers).toContainEqual({ cron: job.cron });
      if (job.chainEvent) expect(triggers.map((trigger) => trigger?.name)).toContain(job.chainEvent);
      expect(opts?.concurrency).toEqual(inngestConcurrency(job));
    }
    // The idempotency-key clean-up used to exist only in the embedded runner.
    expect(served.get(idempotencyCleanupJob.id)?.triggers).toContainEqual({ cron: "*/15 * * * *" });
  });

  it("a job's log lines carry its name, as in the embedded runner", async () => {
    const lines: string[] = [];
    const job = defineJob({
      id: "log-probe",
      intervalMs: () => 60_000,
      cron: "* * * * *",
      concurrency: { limit: 1 },
      steps: ({ logger }) => [jobStep("say", async () => logger.info("probe ran"))],
    });
    const engine = new InngestTestEngine({
      function: createJobFunction(job, () => ({
        ...context,
        logger: createLogger({}, { write: (line) => lines.push(line) }),
      })),
    });
    const { error } = await engine.execute({ events: [cronEvent(job)] });
    expect(error).toBeUndefined();
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ message: "probe ran", job: "log-probe" }),
    );
  });

  it.each(jobs.map((job) => [job.id, job] as const))(
    "%s: the cron run executes the declared steps against the database and Anvil",
    async (_id, job) => {
      const engine = new InngestTestEngine({
        function: createJobFunction(job, () => context),
        steps: [{ id: "restart-loops", handler: () => ({ ids: ["mocked"] }) }],
      });
      const { error, ctx } = await engine.execute({ events: [cronEvent(job)] });
      expect(error).toBeUndefined();
      for (const stepId of declaredStepIds(job))
        expect(ctx.step.run).toHaveBeenCalledWith(stepId, expect.any(Function));
    },
  );

  it("chain-scan on its chain event detects real payments (a token transfer, ETH sent by a contract), then sleeps one block and re-arms", async () => {
    const event = chainJobEvent(chainScanJob.chainEvent ?? "").create({ chain: "local" });
    const engine = () =>
      new InngestTestEngine({
        function: createJobFunction(chainScanJob, () => context),
        // @inngest/test waits forever on a sleep and would send the event for real: both are mocked.
        steps: [
          { id: "wait-local", handler() {} },
          { id: "rearm-local", handler: () => ({ ids: ["mocked"] }) },
        ],
      });
    await engine().execute({ events: [event] });
    const nativePayment = await fx.createPayment({ amount: "0.1" });
    await fx.sendEthViaContract(nativePayment.address, parseEther("0.1"));
    const tokenPayment = await fx.createPayment({ token: "USDC", amount: "5" });
    await fx.sendToken(tokenPayment.address, 5n * 10n ** 6n);

    const { result, ctx } = await engine().execute({ events: [event] });
    expect(ctx.step.run).toHaveBeenCalledWith("scan-local", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("check-balances-local", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("expire-local", expect.any(Function));
    expect(ctx.step.sleep).toHaveBeenCalledWith("wait-local", "1s");
    expect(ctx.step.sendEvent).toHaveBeenCalledWith(
      "rearm-local",
      expect.objectContaining({ name: "chain/watch.requested", data: { chain: "local" } }),
    );
    expect(result).toMatchObject({
      chains: { local: { "scan-local": { transfersRecorded: 1 }, "check-balances-local": { credited: 1 } } },
    });
    expect((await fx.payment(tokenPayment.id)).status).toBe("detected");
    expect((await fx.payment(nativePayment.id)).status).toBe("detected");
  });

  it("chain-scan's cron run restarts the loops of stalled chains only", async () => {
    const stalled = { ...fx.chain, name: "stalled" };
    const engine = new InngestTestEngine({
      function: createJobFunction(chainScanJob, () => ({ ...context, chains: [fx.chain, stalled] })),
      steps: [{ id: "restart-loops", handler: () => ({ ids: ["mocked"] }) }],
    });
    const { result, ctx } = await engine.execute({ events: [cronEvent(chainScanJob)] });
    // "local" was scanned a moment ago by the case above.
    expect(result).toMatchObject({ restarted: ["stalled"] });
    expect(ctx.step.sendEvent).toHaveBeenCalledWith("restart-loops", [
      expect.objectContaining({ name: "chain/watch.requested", data: { chain: "stalled" } }),
    ]);
  });

  it("a chain event for an unknown chain fails without retrying", async () => {
    const engine = new InngestTestEngine({ function: createJobFunction(chainScanJob, () => context) });
    const { error } = await engine.execute({
      events: [chainJobEvent("chain/watch.requested").create({ chain: "nope" })],
    });
    expect(error).toMatchObject({ name: "NonRetriableError", message: "unknown chain nope" });
  });

  it("idempotency-cleanup deletes the expired keys and keeps the live ones", async () => {
    const merchantId = fx.merchant.merchantId;
    const key = (name: string, expiresAt: Date) => ({
      merchantId,
      key: name,
      method: "POST",
      path: "/api/v1/payments",
      requestHash: name,
      expiresAt,
    });
    await database.db.idempotencyKey.createMany({
      data: [key("expired", new Date(Date.now() - 1_000)), key("live", new Date(Date.now() + 60_000))],
    });
    const engine = new InngestTestEngine({
      function: createJobFunction(idempotencyCleanupJob, () => context),
    });
    const { result } = await engine.execute({ events: [cronEvent(idempotencyCleanupJob)] });
    expect(result).toMatchObject({ steps: { "delete-expired-idempotency-keys": { deleted: 1 } } });
    const left = await database.db.idempotencyKey.findMany({ where: { merchantId }, select: { key: true } });
    expect(left).toEqual([{ key: "live" }]);
  });
});
