/**
 * In-process counters of the scanner, per chain, for `/api/metrics`. They count what this process
 * handled since it started (Prometheus counters reset on restart by design); durable figures such
 * as transfers recorded are read from the database instead.
 */
export type ScannerCounters = { reorgsHandled: number; rpcErrors: number; rangesScanned: number };

// On globalThis: Next bundles instrumentation (the scanner) and the metrics route separately.
const COUNTERS_KEY = Symbol.for("ctrip.scannerCounters");
const globals = globalThis as { [COUNTERS_KEY]?: Map<string, ScannerCounters> };
globals[COUNTERS_KEY] ??= new Map();
const counters = globals[COUNTERS_KEY];

export function scannerCounters(chain: string): ScannerCounters {
  let entry = counters.get(chain);
  if (!entry) {
    entry = { reorgsHandled: 0, rpcErrors: 0, rangesScanned: 0 };
    counters.set(chain, entry);
  }
  return entry;
}

/** Every chain's counters (read-only snapshot). */
export function allScannerCounters(): ReadonlyMap<string, Readonly<ScannerCounters>> {
  return new Map([...counters].map(([chain, entry]) => [chain, { ...entry }]));
}
