// The node-postgres pool under a Prisma client made by createDb (lib/db/client.ts), for the few hot
// paths where Prisma's runtime costs more than it gives (POST /api/v1/payments): the same
// connections, the same limits, no second pool.
import type { Pool } from "pg";
import { perClient, perClientIfSet } from "./per-client";

type AdapterFactory = { connect(): Promise<{ underlyingDriver(): unknown }> };
type Holder = { pool?: Pool };

/** Remembers the pool `factory` opens (Prisma connects lazily, and again after `$disconnect`). */
export function capturePoolOf<T extends AdapterFactory>(factory: T): { factory: T; holder: Holder } {
  const holder: Holder = {};
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    holder.pool = adapter.underlyingDriver() as Pool;
    return adapter;
  };
  return { factory, holder };
}

export function registerRawPool(client: object, holder: Holder): void {
  perClient(client, "rawPool", () => holder);
}

type Connectable = { $connect(): Promise<void> };

/**
 * The pool of a client made by createDb, connected; `undefined` for any other client (a transaction
 * client, a test double): callers then take the Prisma path.
 */
export async function rawPool(client: object): Promise<Pool | undefined> {
  const holder = perClientIfSet<Holder>(client, "rawPool");
  if (!holder) return undefined;
  const pool = holder.pool;
  if (pool && !(pool as Pool & { ended?: boolean }).ended) return pool;
  await (client as Connectable).$connect();
  return holder.pool;
}
