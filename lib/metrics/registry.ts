import type { Pool } from "pg";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process-wide prom-client registry and the instruments the hot paths record into. Kept on
 * globalThis under a Symbol.for key: Next bundles instrumentation (the jobs, the RPC pools), route
 * handlers and pages separately, so this module may be evaluated several times in one process, and
 * every copy must record into the same registry. Each process (web server, `npm run worker`) has
 * its own registry and exposes it itself (README "Operate").
 *
 * Labels are bounded: route templates, methods, status classes, error codes, chain names and job
 * names from the configuration, RPC method names, URL indexes and fixed outcomes. Never an id.
 */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createInstruments(registry: Registry) {
  const registers = [registry];
  /** The node-postgres pools of this process's Prisma clients (lib/metrics/db-metrics.ts). */
  const pools = new Set<Pool>();
  const poolGauge = (name: string, help: string, value: (pool: Pool) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        let sum = 0;
        for (const pool of pools) {
          if (pool.ended || pool.ending) pools.delete(pool);
          else sum += value(pool);
        }
        this.set(sum);
      },
    });
  return {
    pools,
    dbPoolTotal: poolGauge(
      "ctrip_db_pool_connections",
      "Open PostgreSQL connections of this process's pools (idle and in use).",
      (pool) => pool.totalCount,
    ),
    dbPoolIdle: poolGauge(
      "ctrip_db_pool_idle_connections",
      "Open PostgreSQL connections of this process's pools waiting for a query.",
      (pool) => pool.idleCount,
    ),
    dbPoolWaiting: poolGauge(
      "ctrip_db_pool_waiting_requests",
      "Queries and transactions of this process waiting for a pooled connection (all are in use).",
      (pool) => pool.waitingCount,
    ),
    dbPoolMax: poolGauge(
      "ctrip_db_pool_max_connections",
      "Connection limit of this process's pools (DATABASE_POOL_SIZE per client).",
      (pool) => pool.options.max ?? 10,
    ),
    httpDuration: new Histogram({
      name: "ctrip_http_request_duration_seconds",
      help: "Time to answer an HTTP request (API routes, checkout, dashboard pages), by route template.",
      labelNames: ["route", "method", "status_class"] as const,
      buckets: SECONDS,
      registers,
    }),
    httpRequests: new Counter({
      name: "ctrip_http_requests_total",
      help: "HTTP requests answered, by route template, method and status class (2xx, 4xx, 5xx…).",
      labelNames: ["route", "method", "status_class"] as const,
      registers,
    }),
    problems: new Counter({
      name: "ctrip_http_problems_total",
      help: "application/problem+json answers, by error code (lib/errors.ts) and HTTP status.",
      labelNames: ["code", "status"] as const,
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: "ctrip_db_query_duration_seconds",
      help: "Time of one PostgreSQL query of this process (Prisma through node-postgres), by outcome.",
      labelNames: ["outcome"] as const,
      buckets: [0.001, 0.0025, ...SECONDS],
      registers,
    }),
    rpcDuration: new Histogram({
      name: "ctrip_rpc_request_duration_seconds",
      help: "Time of one JSON-RPC call to a chain node, by chain, method, URL index and outcome (ok, error: the node answered an error, transport: failed or timed out).",
      labelNames: ["chain", "method", "url_index", "outcome"] as const,
      buckets: SECONDS,
      registers,
    }),
    rpcRequests: new Counter({
      name: "ctrip_rpc_requests_total",
      help: "JSON-RPC calls to chain nodes, by chain, method, URL index and outcome.",
      labelNames: ["chain", "method", "url_index", "outcome"] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: "ctrip_job_run_duration_seconds",
      help: "Time of one run of a background job in this process's embedded runner, by job and outcome.",
      labelNames: ["job", "outcome"] as const,
      buckets: [...SECONDS, 60, 300],
      registers,
    }),
    jobRuns: new Counter({
      name: "ctrip_job_runs_total",
      help: "Runs of the background jobs in this process's embedded runner or Inngest functions, by job and outcome (succeeded, failed).",
      labelNames: ["job", "outcome"] as const,
      registers,
    }),
    webhookAttempts: new Counter({
      name: "ctrip_webhook_attempts_total",
      help: "Webhook delivery attempts, by outcome (succeeded: 2xx; http_error: another status; network_error: no answer; unsendable: endpoint disabled or deleted).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    webhookAttemptDuration: new Histogram({
      name: "ctrip_webhook_attempt_duration_seconds",
      help: "Time of one webhook HTTP request (sent attempts), by outcome.",
      labelNames: ["outcome"] as const,
      buckets: SECONDS,
      registers,
    }),
    webhookLag: new Histogram({
      name: "ctrip_webhook_delivery_lag_seconds",
      help: "Time from an event to its delivery to an endpoint (succeeded attempts; retries included).",
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
      registers,
    }),
  };
}

type Instruments = ReturnType<typeof createInstruments> & { registry: Registry };

const KEY = Symbol.for("ctrip.metrics");
const globals = globalThis as { [KEY]?: Instruments };

/** This process's registry and instruments, created on first use (with Node.js default metrics). */
export function instruments(): Instruments {
  let current = globals[KEY];
  if (!current) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    current = { registry, ...createInstruments(registry) };
    globals[KEY] = current;
  }
  return current;
}

/** The registry with this process's instruments and default metrics (the database gauges are not in it). */
export function processRegistry(): Registry {
  return instruments().registry;
}
