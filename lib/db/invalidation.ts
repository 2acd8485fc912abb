// Change notifications for the in-process caches of the hot path (API keys, the checkout's payment
// row; lib/db/notified-cache.ts): one LISTEN connection per database client, told by PostgreSQL's
// triggers (migrations 20261207120000_cache_invalidation, 20261212090000_checkout_cache_invalidation)
// when a cached row changes, on every app instance at once. A cache may serve an entry only while
// `live`: before LISTEN is established, and from the moment the connection drops until it is back,
// notifications can be missed, so every subscriber is reset (flushed) on loss and again on
// reconnect, and nothing is cached in between.
import pg, { type Pool } from "pg";
import { logger } from "../logger";
import { perClient, perClientIfSet } from "./per-client";
import { rawPool } from "./raw-pool";

export const INVALIDATION_CHANNELS = ["ctrip_api_keys", "ctrip_payments", "ctrip_merchants"] as const;
export type InvalidationChannel = (typeof INVALIDATION_CHANNELS)[number];
/**
 * The channels each cache follows, one LISTEN connection per group: a burst of payment changes
 * (the watcher updates every in-flight payment on each block) must never queue in front of a key's
 * revocation on the connection that carries it.
 */
export const API_KEY_CHANNELS = ["ctrip_api_keys"] as const satisfies readonly InvalidationChannel[];
export const CHECKOUT_CHANNELS = [
  "ctrip_payments",
  "ctrip_merchants",
] as const satisfies readonly InvalidationChannel[];

export type InvalidationSubscriber = {
  /** The row `id` changed on `channel`: drop what is cached for it. */
  invalidate(channel: InvalidationChannel, id: string): void;
  /** Notifications may have been missed: drop everything. */
  reset(): void;
};

export type InvalidationListenerOptions = {
  /** The channels to LISTEN on (default: all of them). */
  channels?: readonly InvalidationChannel[];
  /** Wait before reconnecting after the connection was lost (doubles up to 5 s while it fails). */
  reconnectDelayMs?: number;
};

export class InvalidationListener {
  readonly #connectionString: string;
  readonly #channels: readonly InvalidationChannel[];
  readonly #baseDelayMs: number;
  readonly #subscribers = new Set<InvalidationSubscriber>();
  #client: pg.Client | undefined;
  #live = false;
  #closed = false;
  #started = false;
  #generation = 0;
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(connectionString: string, options: InvalidationListenerOptions = {}) {
    this.#connectionString = connectionString;
    this.#channels = options.channels ?? INVALIDATION_CHANNELS;
    this.#baseDelayMs = options.reconnectDelayMs ?? 250;
    this.#delayMs = this.#baseDelayMs;
  }

  /** True while LISTEN is established: only then may a cache keep what it reads. */
  get live(): boolean {
    return this.#live;
  }

  /**
   * Bumped by every notification and every reset. A cache reads it before loading a row and keeps
   * the row only if it is unchanged afterwards, so a load racing a change is never cached.
   */
  get generation(): number {
    return this.#generation;
  }

  /** The backend pid of the LISTEN connection (tests terminate it). */
  get backendPid(): number | undefined {
    return (this.#client as (pg.Client & { processID?: number }) | undefined)?.processID;
  }

  /**
   * Row `id` changed on `channel`: every subscriber drops it. PostgreSQL's notifications arrive
   * here; a change this process committed itself is also delivered at once by its writer (the
   * notification still follows), so the next request on this instance never sees the old row.
   */
  changed(channel: InvalidationChannel, id: string): void {
    this.#generation++;
    for (const subscriber of this.#subscribers) subscriber.invalidate(channel, id);
  }

  subscribe(subscriber: InvalidationSubscriber): () => void {
    this.#subscribers.add(subscriber);
    this.start();
    return () => this.#subscribers.delete(subscriber);
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#reset();
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#connectionString, keepAlive: true });
    this.#client = client;
    client.on("notification", (message) => {
      if (client === this.#client)
        this.changed(message.channel as InvalidationChannel, message.payload ?? "");
    });
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client));
    try {
      await client.connect();
      await client.query(this.#channels.map((channel) => `LISTEN ${channel}`).join("; "));
      if (client !== this.#client) return;
      // Anything cached before this point may have missed a notification.
      this.#reset();
      this.#live = true;
      this.#delayMs = this.#baseDelayMs;
      // The connection must not keep a process (a CLI, a test worker) alive on its own.
      (client as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
    } catch (error) {
      this.#lost(client, error);
    }
  }

  #lost(client: pg.Client, error?: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#live = false;
    this.#reset();
    client.end().catch(() => undefined);
    // The database is gone (dropped): nothing to listen to any more.
    if ((error as { code?: unknown } | undefined)?.code === "3D000") this.#closed = true;
    if (this.#closed) return;
    logger.warn("cache invalidation connection lost: caches bypassed until it is back", { error });
    this.#timer = setTimeout(() => void this.#connect(), this.#delayMs);
    this.#timer.unref();
    this.#delayMs = Math.min(this.#delayMs * 2, 5_000);
  }

  #reset(): void {
    this.#generation++;
    for (const subscriber of this.#subscribers) subscriber.reset();
  }
}

const globalListeners = globalThis as unknown as { ctripInvalidationListeners?: Set<InvalidationListener> };
globalListeners.ctripInvalidationListeners ??= new Set();
const all = globalListeners.ctripInvalidationListeners;

/** The listener of a database client (one per client, i.e. one per app instance in production). */
const listenerKey = (channels: readonly InvalidationChannel[]) =>
  `invalidationListener:${channels.join(",")}`;

/** The listener of a database client for `channels` (one per client and group: per app instance). */
export function invalidationListenerFor(
  client: object,
  connectionString: string,
  channels: readonly InvalidationChannel[],
): InvalidationListener {
  return perClient(client, listenerKey(channels), () => {
    const listener = new InvalidationListener(connectionString, { channels });
    all.add(listener);
    return listener;
  });
}

/** The listener already made for `client` and `channels`, if any (tests terminate and close it). */
export function invalidationListenerOf(
  client: object,
  channels: readonly InvalidationChannel[],
): InvalidationListener | undefined {
  return perClientIfSet<InvalidationListener>(client, listenerKey(channels));
}

/** Closes every listener this process opened (tests, shutdown). */
export async function closeInvalidationListeners(): Promise<void> {
  const open = [...all];
  all.clear();
  await Promise.all(open.map((listener) => listener.close()));
}

/**
 * The raw pool and the invalidation listener of a client made by createDb (the hot path's caches
 * hang on them); `undefined` for any other client (a transaction client): no cache then.
 */
export async function cacheBackingOf(
  client: object,
  channels: readonly InvalidationChannel[],
): Promise<{ pool: Pool; listener: InvalidationListener } | undefined> {
  const pool = await rawPool(client);
  const connectionString = (pool?.options as { connectionString?: string } | undefined)?.connectionString;
  if (!pool || !connectionString) return undefined;
  return { pool, listener: invalidationListenerFor(client, connectionString, channels) };
}
