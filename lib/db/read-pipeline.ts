// Point reads of the hottest GETs (a payment by id, the checkout's poll) on pipelined connections:
// node-postgres writes each query as soon as it is asked (pipeline mode) instead of waiting for the
// previous answer, so two connections carry every concurrent read of an instance. Through the pool
// each read checks out a connection, waits its turn and releases it; measured with 50 concurrent
// readers (BENCHMARKS.md, issue 22): ~25 µs of Node CPU and ~35 µs of PostgreSQL CPU less per read.
// Only short single-row reads belong here: a pipelined connection answers in order, so one slow
// statement holds back the reads written behind it (writes, transactions and lists use the pool).
// The connections belong to a raw pool (lib/db/raw-pool.ts): opened on first use, closed with it.
import pg, { type Pool, type QueryConfig, type QueryResult, type QueryResultRow } from "pg";
import { timeQueriesOf } from "../metrics/db-metrics";
import { traceQueriesOf } from "../observability/trace-db";
import { rawPool } from "./raw-pool";

/** What the raw readers need of a pool: one query at a time, answered as a promise. */
export type Queryable = {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
};

/** Pipelined connections per pool: two keep PostgreSQL's side of the reads on both cores. */
const CONNECTIONS = 2;

type Slot = {
  client: Promise<pg.Client>;
  connected: boolean;
  lost: boolean;
  inFlight: number;
  lose(): void;
};

/** node-postgres's Client has ref()/unref() (its socket's), missing from its types. */
const referable = (client: pg.Client) => client as pg.Client & { ref(): void; unref(): void };

/** A FATAL error ends the session it arrives on (a terminated backend, a shutdown): the connection is lost. */
const endsSession = (error: unknown) => (error as { severity?: unknown } | null)?.severity === "FATAL";

export class ReadPipeline implements Queryable {
  readonly #config: pg.ClientConfig;
  readonly #slots: (Slot | undefined)[] = [];
  #next = 0;
  #closed = false;

  constructor(config: pg.ClientConfig) {
    this.#config = config;
  }

  /**
   * Runs a read. A read that fails because its connection was lost (a restart, a failover, a
   * terminated backend) is run once more on a new connection: reads have no effect to repeat.
   * Errors of the statement itself, a failure to connect and a second loss reach the caller.
   */
  async query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>> {
    const index = this.#next++ % CONNECTIONS;
    const slot = this.#slot(index);
    try {
      return await this.#run<R>(slot, config);
    } catch (error) {
      if (endsSession(error)) slot.lose();
      if (!slot.connected || !slot.lost || this.#closed) throw error;
      return this.#run<R>(this.#slot(index), config);
    }
  }

  /** The backend pids of the open connections (tests terminate them). */
  async backendPids(): Promise<number[]> {
    const clients = await Promise.all(this.#slots.flatMap((slot) => (slot ? [slot.client] : [])));
    return clients.map((client) => (client as pg.Client & { processID: number }).processID);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.all(
      slots.map((slot) =>
        slot?.client.then(
          (client) => client.end(),
          () => undefined,
        ),
      ),
    );
  }

  async #run<R extends QueryResultRow>(slot: Slot, config: QueryConfig): Promise<QueryResult<R>> {
    const client = await slot.client;
    // Referenced only while a read is in flight: an idle reader keeps no process (a CLI, a test
    // worker) alive, and a pending read is never abandoned by an exiting event loop.
    if (slot.inFlight++ === 0) referable(client).ref();
    try {
      return await client.query<R>(config);
    } finally {
      if (--slot.inFlight === 0 && !slot.lost) referable(client).unref();
    }
  }

  #slot(index: number): Slot {
    const current = this.#slots[index];
    if (current && !current.lost) return current;
    if (this.#closed) throw new Error("Client was closed and is not queryable");
    // Kept alive at the TCP level: a peer that vanished without a reset is noticed, not waited on.
    const client = new pg.Client({ ...this.#config, keepAlive: true, pipeline: true } as pg.ClientConfig);
    const slot: Slot = {
      client: this.#connect(client),
      connected: false,
      lost: false,
      inFlight: 0,
      lose: () => {
        slot.lost = true;
        if (this.#slots[index] === slot) this.#slots[index] = undefined;
        client.end().catch(() => undefined);
      },
    };
    client.on("error", slot.lose);
    client.on("end", slot.lose);
    slot.client.then(() => {
      slot.connected = true;
    }, slot.lose);
    this.#slots[index] = slot;
    return slot;
  }

  async #connect(client: pg.Client): Promise<pg.Client> {
    await client.connect();
    timeQueriesOf(client);
    traceQueriesOf(client);
    referable(client).unref();
    return client;
  }
}

const pipelines = new WeakMap<Pool, ReadPipeline>();

/** The pipelined reader of `pool`, on the same server with the same settings; closed by `pool.end()`. */
export function readPipelineOf(pool: Pool): ReadPipeline {
  let pipeline = pipelines.get(pool);
  if (!pipeline) {
    const { connectionString, connectionTimeoutMillis, statement_timeout } = pool.options as pg.PoolConfig;
    const created = new ReadPipeline({ connectionString, connectionTimeoutMillis, statement_timeout });
    pipeline = created;
    pipelines.set(pool, created);
    const end = pool.end.bind(pool) as (callback?: () => void) => Promise<void> | undefined;
    pool.end = ((callback?: () => void) => {
      const ended = created.close().then(() => end());
      if (callback) ended.then(callback, callback);
      return ended;
    }) as Pool["end"];
  }
  return pipeline;
}

/**
 * The pipelined reader of a client made by createDb; `undefined` for any other client (a
 * transaction client): callers then take the Prisma path.
 */
export async function readPipeline(client: object): Promise<ReadPipeline | undefined> {
  const pool = await rawPool(client);
  return pool && readPipelineOf(pool);
}
