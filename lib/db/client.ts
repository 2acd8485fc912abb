import { PrismaPg } from "@prisma/adapter-pg";
import { ConfigError, env } from "../config/env";
import { measurePoolOf } from "../metrics/db-metrics";
import { PrismaClient } from "./generated/client";
import { capturePoolOf, registerRawPool } from "./raw-pool";

export type Db = InstanceType<typeof PrismaClient>;

import type { Prisma } from "./generated/client";

export type { Prisma };

export type CreateDbOptions = {
  /** Pool size; default DATABASE_POOL_SIZE (10). */
  maxConnections?: number;
  /** PostgreSQL's statement_timeout for every connection; default DATABASE_STATEMENT_TIMEOUT_MS, 0 = none. */
  statementTimeoutMs?: number;
  /** Time allowed to open a connection; default DATABASE_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
};

/** A Prisma client over node-postgres (Prisma 7's driver adapter; no Rust query engine). */
export function createDb(databaseUrl: string, options: CreateDbOptions = {}): Db {
  const config = env();
  const statementTimeout = options.statementTimeoutMs ?? config.DATABASE_STATEMENT_TIMEOUT_MS;
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? config.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: options.connectTimeoutMs ?? config.DATABASE_CONNECT_TIMEOUT_MS,
    // Sent as a startup parameter: PostgreSQL applies it to every statement of the connection.
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
  });
  // Under a burst, waiting for a pooled connection is normal: Prisma's 2 s default for starting an
  // interactive transaction turned that wait into 500s.
  const { factory, holder } = capturePoolOf(adapter);
  const client = new PrismaClient({
    adapter: measurePoolOf(factory),
    transactionOptions: { maxWait: 15_000, timeout: 15_000 },
  });
  registerRawPool(client, holder); // the same pool for the raw hot paths (lib/db/raw-pool.ts)
  return client;
}

const globalForDb = globalThis as unknown as { ctripDb?: Db };

/**
 * The process-wide client for `DATABASE_URL`. Kept on globalThis so Next's dev-mode module reloads
 * do not open a new pool on every edit.
 */
export function db(): Db {
  if (!globalForDb.ctripDb) {
    const url = env().DATABASE_URL;
    if (!url)
      throw new ConfigError(
        "DATABASE_URL is not set: start the app with `npm start` (it sets it), or set it",
      );
    globalForDb.ctripDb = createDb(url);
  }
  return globalForDb.ctripDb;
}

/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Prisma.TransactionClient;
