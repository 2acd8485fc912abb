import { loadChainsConfig } from "../config/chains";
import { env, inngestConfigured } from "../config/env";
import { db } from "../db/client";
import { logger as rootLogger } from "../logger";
import { type EmbeddedRunner, startEmbeddedRunner } from "./embedded-runner";
import { type JobContext, jobs } from "./jobs";

let cachedContext: JobContext | undefined;

/**
 * The process-wide job dependencies: the `DATABASE_URL` client and the chains of `CHAINS_FILE`,
 * loaded once. Shared by the embedded runner and the Inngest functions.
 */
export function loadJobContext(): JobContext {
  cachedContext ??= {
    db: db(),
    chains: loadChainsConfig(env().CHAINS_FILE).chains,
    logger: rootLogger.child({ component: "jobs" }),
  };
  return cachedContext;
}

export type StartBackgroundJobsOptions = {
  /**
   * "web": the Next server (instrumentation), honours `CTRIP_EMBEDDED_RUNNER=off`.
   * "worker": `npm run worker`, the dedicated process that runs jobs when the web server does not.
   */
  host: "web" | "worker";
};

/**
 * Starts the embedded runner over every job, unless Inngest is configured (it then drives the same
 * services through /api/inngest) or, for the web server, `CTRIP_EMBEDDED_RUNNER=off`. Returns the
 * runner to stop on shutdown, or null when nothing was started.
 */
export function startBackgroundJobs(
  options: StartBackgroundJobsOptions = { host: "web" },
): EmbeddedRunner | null {
  const config = env();
  const logger = rootLogger.child({ component: "jobs", host: options.host });
  if (inngestConfigured(config)) {
    logger.info("Inngest is configured: background jobs run as Inngest functions served at /api/inngest", {
      mode: config.INNGEST_DEV ? "dev server" : "cloud or self-hosted",
    });
    return null;
  }
  if (options.host === "web" && config.CTRIP_EMBEDDED_RUNNER === "off") {
    logger.info("CTRIP_EMBEDDED_RUNNER=off: this server runs no background jobs (start `npm run worker`)");
    return null;
  }
  return startEmbeddedRunner({ jobs, context: loadJobContext(), logger });
}

/**
 * For the Next server: stops the runner on SIGTERM/SIGINT. Next's own handler closes the server and
 * exits; without one (NEXT_MANUAL_SIG_HANDLE), re-raising the signal once our listener is gone gives
 * Node's default exit.
 */
export function stopOnShutdownSignals(runner: EmbeddedRunner): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      const reraise = () => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      void runner.stop().then(reraise, (error: unknown) => {
        rootLogger.error("stopping the background jobs failed", { component: "jobs", error });
        reraise();
      });
    });
  }
}
