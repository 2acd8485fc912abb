import type { Pool, PoolClient } from "pg";
import { tracePool } from "../observability/trace-db";
import { instruments } from "./registry";

type AdapterFactory = { connect(): Promise<{ underlyingDriver(): unknown }> };

/**
 * Measures the pool of a Prisma node-postgres adapter (lib/db/client.ts): the pool's connections
 * (total, idle, waiting) are read at each scrape, and every query of its connections is timed (a
 * Prisma query, a transaction's statements and raw SQL all go through a pooled client's `query`).
 */
export function measurePoolOf<T extends AdapterFactory>(factory: T): T {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const pool = adapter.underlyingDriver();
    // Duck-typed: a bundler may hold a second copy of pg whose Pool class differs.
    if (pool && typeof pool === "object" && "totalCount" in pool && "waitingCount" in pool)
      measurePool(pool as Pool);
    return adapter;
  };
  return factory;
}

export function measurePool(pool: Pool): void {
  const metrics = instruments();
  if (metrics.pools.has(pool)) return;
  metrics.pools.add(pool);
  tracePool(pool);
  pool.on("connect", (client: PoolClient) => timeQueriesOf(client));
}

/** Times every query of one connection (a pooled one, or a pipelined reader's: lib/db/read-pipeline.ts). */
export function timeQueriesOf(client: Pick<PoolClient, "query">): void {
  const metrics = instruments();
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = function timedQuery(this: PoolClient, ...args: unknown[]) {
    const started = performance.now();
    const observe = (failed: unknown) =>
      metrics.dbQueryDuration.observe(
        { outcome: failed ? "error" : "ok" },
        (performance.now() - started) / 1_000,
      );
    // pg-pool's own `pool.query` (Prisma outside transactions) calls back; transactions await.
    const callback = args.at(-1);
    if (typeof callback === "function")
      args[args.length - 1] = function timedCallback(this: unknown, error: unknown, ...rest: unknown[]) {
        observe(error);
        return callback.call(this, error, ...rest);
      };
    const result = query.apply(this, args);
    if (result instanceof Promise)
      result.then(
        () => observe(null),
        (error: unknown) => observe(error ?? true),
      );
    return result;
  } as PoolClient["query"];
}
