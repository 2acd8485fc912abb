// Rows cached in process and dropped when PostgreSQL says they changed (LISTEN/NOTIFY through
// lib/db/invalidation.ts, fed by the triggers of the cache_invalidation migrations): the hot path's
// caches (API keys, the checkout's payment row) are instances of this. An entry is served only
// while the listener is live; a load that races a notification or a reset is not kept (the
// listener's generation moved); entries expire after `ttlMs` as a safety net and the oldest go
// first beyond `maxEntries`.
import type { InvalidationChannel, InvalidationListener } from "./invalidation";

export type NotifiedCacheOptions<V> = {
  /** Longest an entry is served without a notification (default 30 s). */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first (default 10,000). */
  maxEntries?: number;
  now?: () => number;
  /** Channels whose notifications name an entry's key (one delete, no search). */
  keyedBy?: readonly InvalidationChannel[];
  /** On the other channels: whether a notification for row `id` concerns the entry holding `value`. */
  concerns?: (channel: InvalidationChannel, id: string, value: V) => boolean;
};

export class NotifiedCache<V> {
  readonly #listener: InvalidationListener;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(listener: InvalidationListener, options: NotifiedCacheOptions<V>) {
    this.#listener = listener;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
    listener.subscribe({
      invalidate: (channel, id) => {
        if (options.keyedBy?.includes(channel)) this.#entries.delete(id);
        else if (options.concerns)
          for (const [key, entry] of this.#entries)
            if (options.concerns(channel, id, entry.value)) this.#entries.delete(key);
      },
      reset: () => this.#entries.clear(),
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** `key`'s value: from the cache when live and fresh, else from `load` (kept when `keep` says so). */
  async get(
    key: string,
    load: () => Promise<V | null>,
    keep: (value: V) => boolean = () => true,
  ): Promise<V | null> {
    const entry = this.#entries.get(key);
    if (entry && this.#listener.live && entry.expiresAt > this.#now()) return entry.value;
    if (entry) this.#entries.delete(key);
    const generation = this.#listener.generation;
    const value = await load();
    // A notification or reset during the load may concern this row: do not keep it.
    if (value !== null && keep(value) && this.#listener.live && this.#listener.generation === generation) {
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
    }
    return value;
  }

  /** Replaces a cached value (a change this process wrote itself and the database already has). */
  update(key: string, change: (value: V) => V): void {
    const entry = this.#entries.get(key);
    if (entry) entry.value = change(entry.value);
  }
}
