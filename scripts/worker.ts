// `npm run worker`: runs the background jobs in their own process (set CTRIP_EMBEDDED_RUNNER=off on
// the web server so only this process runs them). Refuses to start on a configuration the
// production guards reject or with another wallet seed than the database's. Stops cleanly on
// SIGINT/SIGTERM.
import { runningInstance } from "../lib/admin/resolve-database-url";
import { parseEnv } from "../lib/config/env";
import { startBackgroundJobs } from "../lib/jobs/start-background-jobs";
import { logger } from "../lib/logger";
import { exitOnStartupFailure, verifyStartup } from "../lib/runtime/verify-startup";

// Without DATABASE_URL, the worker joins the `npm start` running from this folder (its embedded
// database, named in runtime.json), as a second app instance does.
if (!process.env.DATABASE_URL) {
  const joined = await Promise.resolve()
    .then(() => runningInstance(parseEnv()))
    .catch((error: unknown) => exitOnStartupFailure(error, "worker"));
  if (joined) {
    process.env.DATABASE_URL = joined.databaseUrl;
    logger.info("joining the database of the npm start running from this folder", { pid: joined.pid });
  }
}

await verifyStartup("worker").catch((error: unknown) => exitOnStartupFailure(error, "worker"));

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
