// API keys cached in process, keyed by their hash: a request with a known key costs no database
// round trip. Revocations and permission changes reach every instance through PostgreSQL's
// LISTEN/NOTIFY (lib/db/invalidation.ts) within milliseconds; while that connection is down nothing
// is cached (every request reads the database), and entries expire after `ttlMs` as a safety net.
// Only valid (unrevoked) keys are cached: unknown or revoked keys always cost a lookup.
import type { InvalidationChannel, InvalidationListener } from "../db/invalidation";

export type CachedApiKey = {
  id: string;
  merchantId: string;
  keyHash: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  permissions: string[];
};

export type ApiKeyCacheOptions = {
  /** Longest an entry is served without a notification (default 30 s). */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first (default 10,000). */
  maxEntries?: number;
  now?: () => number;
};

export class ApiKeyCache {
  readonly #listener: InvalidationListener;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { row: CachedApiKey; expiresAt: number }>();

  constructor(listener: InvalidationListener, options: ApiKeyCacheOptions = {}) {
    this.#listener = listener;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
    listener.subscribe({
      invalidate: (channel: InvalidationChannel, id: string) => {
        if (channel !== "ctrip_api_keys") return;
        for (const [hash, entry] of this.#entries) if (entry.row.id === id) this.#entries.delete(hash);
      },
      reset: () => this.#entries.clear(),
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The key with this hash: from the cache when live and fresh, else from `load` (then cached if valid). */
  async lookup(keyHash: string, load: () => Promise<CachedApiKey | null>): Promise<CachedApiKey | null> {
    const entry = this.#entries.get(keyHash);
    if (entry && this.#listener.live && entry.expiresAt > this.#now()) return entry.row;
    if (entry) this.#entries.delete(keyHash);
    const generation = this.#listener.generation;
    const row = await load();
    // A notification or reset during the load may concern this row: do not keep it.
    if (row && row.revokedAt === null && this.#listener.live && this.#listener.generation === generation) {
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      this.#entries.set(keyHash, { row, expiresAt: this.#now() + this.#ttlMs });
    }
    return row;
  }

  /** Records a last-used time written to the database, so the next minute's requests skip the write. */
  touched(keyHash: string, at: Date): void {
    const entry = this.#entries.get(keyHash);
    if (entry) entry.row = { ...entry.row, lastUsedAt: at };
  }
}
