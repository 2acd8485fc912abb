// Next.js instrumentation hook: runs once per server instance, before it serves requests.
import type { EmbeddedRunner } from "./lib/jobs/embedded-runner";

const globalForJobs = globalThis as unknown as { ctripBackgroundJobs?: EmbeddedRunner | null };

export async function register(): Promise<void> {
  // The import stays inside this branch so the edge bundle never pulls in Prisma, pg, viem or process APIs.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First, so the queries and RPC calls of everything below are traced (OTEL_EXPORTER_OTLP_ENDPOINT; off when unset).
    (await import("./lib/observability/tracing")).startTracing({ role: "web" });
    // The client address for throttles: the TCP peer, which Next does not pass to handlers.
    const { stampPeerAddresses } = await import("./lib/http/peer-address");
    stampPeerAddresses();
    (await import("./lib/metrics/page-metrics")).measurePageRequests();
    // Dev-mode reloads may call register again: one runner per process.
    if (globalForJobs.ctripBackgroundJobs !== undefined) return;
    // A `next start` launched directly is guarded like `npm start`: a refusal ends the server
    // before it answers a request (production guards of the chains, one wallet seed). Any failure
    // here ends it too: Next would log the failed hook, retry it on every request and answer 500.
    const { exitOnStartupFailure, verifyStartup } = await import("./lib/runtime/verify-startup");
    try {
      await verifyStartup("server");
      const { startBackgroundJobs, stopOnShutdownSignals } = await import("./lib/jobs/start-background-jobs");
      const runner = startBackgroundJobs({ host: "web" });
      globalForJobs.ctripBackgroundJobs = runner;
      if (runner) stopOnShutdownSignals(runner);
    } catch (error) {
      exitOnStartupFailure(error, "cTrip Pay");
    }
  }
}
