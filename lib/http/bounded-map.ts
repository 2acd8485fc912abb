/** How many of the oldest entries an insertion into a full map looks at for one it may drop. */
const EVICTION_SCAN = 256;

/**
 * A Map with at most `maxSize` entries, for per-client throttle state kept in memory. Reads and
 * writes move an entry to the newest end; a full map drops the oldest entry that `keep` does not
 * protect (one that still throttles someone), else the oldest. Wiping the map when full would let
 * anyone with enough keys (addresses, emails) reset everyone else's throttle.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new Error("BoundedMap: maxSize must be ≥ 1");
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V, keep: (value: V) => boolean = () => false): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxSize) this.evictOne(keep);
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  private evictOne(keep: (value: V) => boolean): void {
    let scanned = 0;
    let oldest: K | undefined;
    for (const [key, value] of this.entries) {
      if (scanned === 0) oldest = key;
      if (!keep(value)) {
        this.entries.delete(key);
        return;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    if (oldest !== undefined) this.entries.delete(oldest);
  }
}
