// State attached to one database client (its raw pool, its LISTEN connection, its caches). Kept on
// the client object under a global symbol rather than in a module-level map: Next bundles a module
// into several chunks, and the process-wide client (globalThis.ctripDb) is shared by all of them.

/** The value of `name` on `client`, created on first use. */
export function perClient<T>(client: object, name: string, create: () => T): T {
  const key = Symbol.for(`ctrip.${name}`);
  const holder = client as Record<symbol, T | undefined>;
  let value = holder[key];
  if (value === undefined) {
    value = create();
    Object.defineProperty(client, key, { value, enumerable: false, configurable: true });
  }
  return value;
}

/** The value of `name` on `client` if set. */
export function perClientIfSet<T>(client: object, name: string): T | undefined {
  return (client as Record<symbol, T | undefined>)[Symbol.for(`ctrip.${name}`)];
}
