import type { Logger } from "../logger";
import { jobRunTimer } from "../metrics/work-metrics";
import { traceJobRun } from "../observability/trace-jobs";
import type { Job, JobContext } from "./jobs";

/** Delay after a failed run: `initialMs`, doubled per consecutive failure, at most `maxMs`. */
export type RetryBackoff = { initialMs: number; maxMs: number };

export const DEFAULT_BACKOFF: RetryBackoff = { initialMs: 1_000, maxMs: 60_000 };

/** Live counters of one job, updated by the runner. */
export type JobRunStats = {
  /** Runs started so far. */
  started: number;
  succeeded: number;
  failed: number;
  /** Failures since the last success; sets the backoff. */
  consecutiveFailures: number;
  running: boolean;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastError: unknown;
  /** When the next run is due; null while a run is in flight or after stop(). */
  nextRunAt: Date | null;
};

export type StartEmbeddedRunnerParameters = {
  jobs: readonly Job[];
  context: JobContext;
  logger: Logger;
  backoff?: RetryBackoff;
};

export type EmbeddedRunner = {
  /** Per job name. Read-only view of live counters (for logs, health and tests). */
  runs: ReadonlyMap<string, Readonly<JobRunStats>>;
  /** Cancels every pending run and resolves once the runs in flight have finished. Idempotent. */
  stop(): Promise<void>;
};

/**
 * Runs each job in-process on its own timer: the first run starts at once, the next one is scheduled
 * only when the previous one has finished (a job never overlaps itself), failures are logged and
 * retried with exponential backoff, and a success returns the job to its normal interval.
 */
export function startEmbeddedRunner({
  jobs,
  context,
  logger,
  backoff = DEFAULT_BACKOFF,
}: StartEmbeddedRunnerParameters): EmbeddedRunner {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`duplicate job name ${job.name}`);
    names.add(job.name);
  }

  let stopped = false;
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const runs = new Map<string, JobRunStats>();

  function schedule(job: Job, stats: JobRunStats, delayMs: number) {
    if (stopped) return;
    stats.nextRunAt = new Date(Date.now() + delayMs);
    timers.set(
      job.name,
      setTimeout(() => {
        timers.delete(job.name);
        if (stopped) return;
        // runOnce never rejects; stop() awaits it through inFlight.
        const run: Promise<void> = runOnce(job, stats).finally(() => inFlight.delete(run));
        inFlight.add(run);
      }, delayMs),
    );
  }

  async function runOnce(job: Job, stats: JobRunStats): Promise<void> {
    const jobLogger = logger.child({ job: job.name });
    stats.started += 1;
    stats.running = true;
    stats.nextRunAt = null;
    stats.lastStartedAt = new Date();
    let delayMs: number;
    const measured = jobRunTimer(job.name);
    try {
      await traceJobRun(job.name, () =>
        job.run({ ...context, logger: context.logger.child({ job: job.name }) }),
      );
      measured("succeeded");
      if (stats.consecutiveFailures > 0)
        jobLogger.info("job recovered", { afterFailures: stats.consecutiveFailures });
      stats.succeeded += 1;
      stats.consecutiveFailures = 0;
      stats.lastError = null;
      delayMs = intervalOf(job, jobLogger);
    } catch (error) {
      measured("failed");
      stats.failed += 1;
      stats.consecutiveFailures += 1;
      stats.lastError = error;
      delayMs = Math.min(
        maxBackoffOf(job, jobLogger),
        backoff.initialMs * 2 ** (stats.consecutiveFailures - 1),
      );
      jobLogger.warn("job failed, retrying", {
        error,
        consecutiveFailures: stats.consecutiveFailures,
        retryInMs: delayMs,
      });
    } finally {
      stats.running = false;
      stats.lastFinishedAt = new Date();
    }
    schedule(job, stats, delayMs);
  }

  /** The runner's cap, or the job's own lower one (a chain watcher must not sleep through a recovery). */
  function maxBackoffOf(job: Job, jobLogger: Logger): number {
    if (!job.maxBackoffMs) return backoff.maxMs;
    try {
      const cap = job.maxBackoffMs(context);
      if (Number.isFinite(cap) && cap >= 0) return Math.min(cap, backoff.maxMs);
      jobLogger.error("job backoff cap is not a finite duration, using the runner's", { cap });
    } catch (error) {
      jobLogger.error("job backoff cap failed, using the runner's", { error });
    }
    return backoff.maxMs;
  }

  function intervalOf(job: Job, jobLogger: Logger): number {
    try {
      const interval = job.intervalMs(context);
      if (Number.isFinite(interval) && interval >= 0) return interval;
      jobLogger.error("job interval is not a finite duration, using the maximum backoff", { interval });
    } catch (error) {
      jobLogger.error("job interval failed, using the maximum backoff", { error });
    }
    return backoff.maxMs;
  }

  for (const job of jobs) {
    const stats: JobRunStats = {
      started: 0,
      succeeded: 0,
      failed: 0,
      consecutiveFailures: 0,
      running: false,
      lastStartedAt: null,
      lastFinishedAt: null,
      lastError: null,
      nextRunAt: null,
    };
    runs.set(job.name, stats);
    schedule(job, stats, 0);
  }
  logger.info("embedded job runner started", { jobs: jobs.map((job) => job.name) });

  let stopping: Promise<void> | undefined;
  return {
    runs,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        for (const timer of timers.values()) clearTimeout(timer);
        timers.clear();
        for (const stats of runs.values()) stats.nextRunAt = null;
        await Promise.allSettled([...inFlight]);
        logger.info("embedded job runner stopped");
      })();
      return stopping;
    },
  };
}
