// API keys cached in process, keyed by their hash: a request with a known key costs no database
// round trip. Revocations and permission changes reach every instance through PostgreSQL's
// LISTEN/NOTIFY (lib/db/invalidation.ts) within milliseconds; while that connection is down nothing
// is cached (every request reads the database), and entries expire after `ttlMs` as a safety net.
// Only valid (unrevoked) keys are cached: unknown or revoked keys always cost a lookup.
import type { InvalidationListener } from "../db/invalidation";
import { NotifiedCache, type NotifiedCacheOptions } from "../db/notified-cache";

export type CachedApiKey = {
  id: string;
  merchantId: string;
  keyHash: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  permissions: string[];
};

export type ApiKeyCacheOptions = Omit<NotifiedCacheOptions<CachedApiKey>, "keyedBy" | "concerns">;

export class ApiKeyCache {
  readonly #cache: NotifiedCache<CachedApiKey>;

  constructor(listener: InvalidationListener, options: ApiKeyCacheOptions = {}) {
    this.#cache = new NotifiedCache(listener, {
      ...options,
      concerns: (channel, id, row) => channel === "ctrip_api_keys" && row.id === id,
    });
  }

  get size(): number {
    return this.#cache.size;
  }

  /** The key with this hash: from the cache when live and fresh, else from `load` (then cached if valid). */
  lookup(keyHash: string, load: () => Promise<CachedApiKey | null>): Promise<CachedApiKey | null> {
    return this.#cache.get(keyHash, load, (row) => row.revokedAt === null);
  }

  /** Records a last-used time written to the database, so the next minute's requests skip the write. */
  touched(keyHash: string, at: Date): void {
    this.#cache.update(keyHash, (row) => ({ ...row, lastUsedAt: at }));
  }
}
