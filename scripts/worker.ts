// `npm run worker`: runs the background jobs in their own process (set CTRIP_EMBEDDED_RUNNER=off on
// the web server so only this process runs them). Refuses to start on a configuration the
// production guards reject or with another wallet seed than the database's. Stops cleanly on
// SIGINT/SIGTERM.
import { runningInstance } from "../lib/admin/resolve-database-url";
import { parseEnv } from "../lib/config/env";
import { startupFailureMessage } from "../lib/runtime/startup-checks";

// Without DATABASE_URL, the worker joins the `npm start` running from this folder (its embedded
// database, named in runtime.json), as a second app instance does. Set before the rest is loaded:
// modules read the environment once.
let joinedPid: number | undefined;
if (!process.env.DATABASE_URL) {
  try {
    const joined = runningInstance(parseEnv());
    if (joined) {
      process.env.DATABASE_URL = joined.databaseUrl;
      joinedPid = joined.pid;
    }
  } catch (error) {
    process.stderr.write(`worker: ${startupFailureMessage(error)}\n`);
    process.exit(1);
  }
}

// Traces (OTEL_EXPORTER_OTLP_ENDPOINT; off when unset) before any query or RPC call of the jobs.
const { flushTraces, startTracing } = await import("../lib/observability/tracing");
startTracing({ role: "worker" });
const { startBackgroundJobs } = await import("../lib/jobs/start-background-jobs");
const { logger } = await import("../lib/logger");
const { exitOnStartupFailure, verifyStartup } = await import("../lib/runtime/verify-startup");
if (joinedPid !== undefined)
  logger.info("joining the database of the npm start running from this folder", { pid: joinedPid });

await verifyStartup("worker").catch((error: unknown) => exitOnStartupFailure(error, "worker"));

const runner = startBackgroundJobs({ host: "worker" });
// Its own metrics (job runs, RPC calls, queries of this process), as the app serves /api/metrics.
const { env } = await import("../lib/config/env");
const metricsPort = env().WORKER_METRICS_PORT;
if (runner && metricsPort !== undefined) {
  const { serveMetrics } = await import("../lib/metrics/serve-metrics");
  await serveMetrics({ port: metricsPort, token: env().METRICS_TOKEN, logger });
  logger.info("worker metrics served on GET /metrics", { port: metricsPort });
}
if (!runner) {
  logger.info("nothing to run in this worker: Inngest drives the background jobs");
} else {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn("second signal: exiting without waiting for the jobs in flight", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("worker stopping (send the signal again to exit at once)", { signal });
    await runner.stop();
    await flushTraces().catch(() => undefined);
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, (received) => {
      void shutdown(received);
    });
}
