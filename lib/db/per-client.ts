// State attached to one database client (its raw pool, its LISTEN connection, its caches), keyed by
// the client object itself: a transaction client (which forwards to its parent) has none. The map
// lives on globalThis rather than in this module: Next bundles a module into several chunks, and
// the process-wide client (globalThis.ctripDb) is shared by all of them.

const registry = globalThis as unknown as { ctripPerClient?: WeakMap<object, Map<string, unknown>> };
registry.ctripPerClient ??= new WeakMap();
const states = registry.ctripPerClient;

/** The value of `name` on `client`, created on first use. */
export function perClient<T>(client: object, name: string, create: () => T): T {
  let values = states.get(client);
  if (!values) {
    values = new Map();
    states.set(client, values);
  }
  if (!values.has(name)) values.set(name, create());
  return values.get(name) as T;
}

/** The value of `name` on `client` if set. */
export function perClientIfSet<T>(client: object, name: string): T | undefined {
  return states.get(client)?.get(name) as T | undefined;
}
