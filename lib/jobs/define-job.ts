import type { TChain } from "../config/chains";
import { traceJobStep } from "../observability/trace-jobs";
import { sharedWebhookDispatcher } from "../webhooks/webhook-dispatcher";
import type { Job, JobContext } from "./jobs";

/**
 * One named unit of work of a job, calling lib/ services. Inngest memoizes it under `id` (a retry
 * re-runs only the steps that did not finish), the embedded runner simply runs it. Its result must
 * be JSON (Inngest stores it): `jsonSafe` turns bigints and dates into strings.
 */
export type JobStep = { id: string; run(): Promise<unknown> };

/** How many runs of a job may be in flight at once, over every process (Inngest enforces it). */
export type JobConcurrency = {
  limit: number;
  /** "chain": the limit holds per chain (the runs of one chain queue, other chains run alongside). */
  per?: "chain";
};

/**
 * A background job, declared once: both runners are generated from this declaration, the
 * embedded runner (lib/jobs/embedded-runner.ts) and the Inngest functions (inngest/job-functions.ts).
 * Every step must be safe to run concurrently in several processes (row locks, SKIP LOCKED,
 * advisory locks in the services): the concurrency limit is a throughput choice, not a guard.
 */
export type JobDeclaration = {
  id: string;
  /** Embedded runner: the pause between the end of a run and the start of the next. */
  intervalMs(context: JobContext): number;
  /** Embedded runner: the longest wait between retries after failures (default: the runner's 60 s). */
  maxBackoffMs?(context: JobContext): number;
  /** Inngest: the cron schedule (a minute at the finest; `loop` runs a chain job faster). */
  cron: string;
  concurrency: JobConcurrency;
  /**
   * Steps run for each chain: the chains in parallel, one chain's steps in order, a failing chain
   * does not hold back the others (the run fails after the others finished, and is retried).
   */
  chainSteps?(context: JobContext, chain: TChain): JobStep[];
  /** Steps run once per run, after the chain steps. */
  steps?(context: JobContext): JobStep[];
  /** Inngest: an event `{ chain }` (e.g. "chain/watch.requested") that runs the chain steps of that chain only. */
  chainEvent?: string;
  /**
   * Inngest: a run started by `chainEvent` sleeps `pause` and sends the event again, a per-chain
   * loop faster than cron; the cron run (re)starts the loops of the chains `stalledChains` names.
   */
  loop?: {
    pause(chain: TChain): string;
    stalledChains(context: JobContext): Promise<string[]>;
  };
  /**
   * The job records outbox events (payment.detected, payout.sent, …): the embedded runner kicks its
   * webhook dispatcher after each run so they go out now, not at the webhook job's next tick. In
   * Inngest mode the webhook relay function picks them up.
   */
  recordsEvents?: boolean;
};

/** A declaration that the embedded runner can drive (`name` and `run` are derived from it). */
export type JobDefinition = JobDeclaration & Job;

/** Declares a job; the embedded runner's `run` executes the declared steps. */
export function defineJob(declaration: JobDeclaration): JobDefinition {
  return {
    ...declaration,
    name: declaration.id,
    run: (context) => runJobSteps(declaration, context),
  };
}

/** Per chain, then once: the step results by step id. */
export type JobRunResult = {
  chains: Record<string, Record<string, unknown>>;
  steps: Record<string, unknown>;
};

/**
 * The embedded execution of a declaration: chains in parallel (each chain's steps in order), then
 * the job's own steps; failures are logged per chain and thrown together once every chain finished.
 */
export async function runJobSteps(declaration: JobDeclaration, context: JobContext): Promise<JobRunResult> {
  const { chains, logger } = context;
  const result: JobRunResult = { chains: {}, steps: {} };
  const failures: unknown[] = [];
  const chainSteps = declaration.chainSteps;
  if (chainSteps)
    await Promise.all(
      chains.map(async (chain) => {
        const outputs: Record<string, unknown> = {};
        for (const step of chainSteps(context, chain)) {
          try {
            outputs[step.id] = await traceJobStep(step.id, () => step.run(), chain.name);
          } catch (error) {
            logger.warn("job step failed", { chain: chain.name, step: step.id, error });
            failures.push(error);
            return;
          }
        }
        result.chains[chain.name] = outputs;
      }),
    );
  for (const step of declaration.steps?.(context) ?? [])
    result.steps[step.id] = await traceJobStep(step.id, () => step.run());
  if (declaration.recordsEvents) await sharedWebhookDispatcher(context.db, logger).tick();
  if (failures.length > 0)
    throw new AggregateError(
      failures,
      `${declaration.id}: ${failures.length} of ${chains.length} chains failed`,
    );
  return result;
}

/** A step result as JSON: bigints become decimal strings, dates ISO strings (Inngest stores step output). */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    // Prisma decimals and other value objects carry their own JSON form.
    if ("toJSON" in value && typeof value.toJSON === "function") return value.toJSON();
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, jsonSafe(entry)]));
  }
  return value;
}

/** A step whose result is made JSON-safe. */
export function jobStep(id: string, run: () => Promise<unknown>): JobStep {
  return { id, run: async () => jsonSafe(await run()) };
}
