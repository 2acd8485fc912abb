// `npm run worker`: runs the background jobs in their own process (set CTRIP_EMBEDDED_RUNNER=off on
// the web server so only this process runs them). Refuses to start on a configuration the
// production guards reject or with another wallet seed than the database's. Stops cleanly on
// SIGINT/SIGTERM.
import { ConfigError } from "../lib/config/env";
import { startBackgroundJobs } from "../lib/jobs/start-background-jobs";
import { logger } from "../lib/logger";
import { verifyStartup } from "../lib/runtime/verify-startup";

try {
  await verifyStartup("worker");
} catch (error) {
  console.error(error instanceof ConfigError ? `worker: ${error.message}` : error);
  process.exit(1);
}

const runner = startBackgroundJobs({ host: "worker" });
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
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, (received) => {
      void shutdown(received);
    });
}
