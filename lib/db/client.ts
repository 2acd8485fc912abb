import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "../config/env";
import { PrismaClient } from "./generated/client";

export type Db = InstanceType<typeof PrismaClient>;

import type { Prisma } from "./generated/client";

export type { Prisma };

/** A Prisma client over node-postgres (Prisma 7's driver adapter; no Rust query engine). */
export function createDb(databaseUrl: string, options: { maxConnections?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  // Under a burst, waiting for a pooled connection is normal: Prisma's 2 s default for starting an
  // interactive transaction turned that wait into 500s.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 15_000 } });
}

const globalForDb = globalThis as unknown as { ctripDb?: Db };

/**
 * The process-wide client for `DATABASE_URL`. Kept on globalThis so Next's dev-mode module reloads
 * do not open a new pool on every edit.
 */
export function db(): Db {
  if (!globalForDb.ctripDb) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set (npm start sets it for the embedded database)");
    globalForDb.ctripDb = createDb(url);
  }
  return globalForDb.ctripDb;
}

/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Prisma.TransactionClient;
