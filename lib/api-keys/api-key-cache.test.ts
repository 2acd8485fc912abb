// The in-process API key cache against the real database: two app instances (two clients, each with
// its own cache and LISTEN connection) stop accepting a revoked key within 1 s; a permission change
// reaches both; a dropped LISTEN connection flushes the cache and bypasses it until it is back; and
// entries expire as a safety net. "Silent" changes (triggers disabled, so no NOTIFY) show whether an
// answer came from the cache.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import type { Db } from "../db/client";
import {
  API_KEY_CHANNELS,
  type InvalidationListener,
  invalidationListenerOf,
  InvalidationListener as Listener,
} from "../db/invalidation";
import { createMerchant } from "../merchants/create-merchant";
import {
  closeAppInstances,
  createAppInstances,
  createTestDatabase,
  queryDatabase,
  querySilently,
  type TestDatabase,
  until,
} from "../testing/database";
import { ApiKeyCache } from "./api-key-cache";
import { authenticateApiKey, loadApiKey } from "./authenticate-api-key";
import { createApiKey, hashApiKey, revokeApiKey } from "./create-api-key";

let database: TestDatabase;
let instances: Db[];
let merchantId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  instances = createAppInstances(database.databaseUrl);
  ({ merchantId } = await createMerchant(database.db, {
    name: "Cache",
    email: "cache@example.test",
    password: "password-not-secret",
  }));
});
afterAll(async () => {
  await closeAppInstances(instances);
  await database?.drop();
});

const newKey = (permissions: ("payments:read" | "payments:write")[] = ["payments:read", "payments:write"]) =>
  createApiKey({ db: database.db, actor: OPERATOR }, { merchantId, name: "cached", permissions });
const authenticate = (db: Db, apiKey: string) => authenticateApiKey(db, `Bearer ${apiKey}`);
const listenerOf = (db: Db) => invalidationListenerOf(db, API_KEY_CHANNELS);

/** Changes a key's permissions without firing the trigger (so no NOTIFY reaches any cache). */
const silentlySetPermissions = (id: string, permissions: string[]) =>
  querySilently(database.databaseUrl, "UPDATE api_keys SET permissions = $2 WHERE id = $1", [
    id,
    permissions,
  ]);

async function warm(apiKey: string) {
  for (const instance of instances) await authenticate(instance, apiKey);
  await until(() => instances.every((instance) => listenerOf(instance)?.live === true));
  for (const instance of instances) await authenticate(instance, apiKey); // cached now
}

describe("API key cache", () => {
  it("serves a key from the cache, and a revocation stops it on both instances within 1 s", async () => {
    const key = await newKey();
    await warm(key.apiKey);
    await silentlySetPermissions(key.id, ["payments:read"]);
    for (const instance of instances)
      expect((await authenticate(instance, key.apiKey)).permissions).toEqual([
        "payments:read",
        "payments:write",
      ]);

    const revokedAt = performance.now();
    expect(await revokeApiKey({ db: database.db, actor: OPERATOR }, { merchantId, id: key.id })).toBe(true);
    const refused = async (instance: Db) =>
      authenticate(instance, key.apiKey).then(
        () => false,
        (error: { code?: string }) => error.code === "unauthorized",
      );
    await until(async () => (await Promise.all(instances.map(refused))).every(Boolean), 1_000);
    expect(performance.now() - revokedAt).toBeLessThan(1_000);
  });

  it("drops a key revoked through this instance at once, without waiting for the notification", async () => {
    const key = await newKey();
    await warm(key.apiKey);
    const [here, there] = instances as [Db, Db];
    // No notification this time (the trigger off): only the revoking instance can know.
    await queryDatabase(
      database.databaseUrl,
      'ALTER TABLE api_keys DISABLE TRIGGER "api_keys_notify_update"',
    );
    try {
      expect(await revokeApiKey({ db: here, actor: OPERATOR }, { merchantId, id: key.id })).toBe(true);
      await expect(authenticate(here, key.apiKey)).rejects.toMatchObject({ code: "unauthorized" });
      // The other instance still serves its cached copy: what dropped it here was the local delivery.
      expect((await authenticate(there, key.apiKey)).apiKeyId).toBe(key.id);
    } finally {
      await queryDatabase(
        database.databaseUrl,
        'ALTER TABLE api_keys ENABLE TRIGGER "api_keys_notify_update"',
      );
    }
  });

  it("pushes a permission change to both instances", async () => {
    const key = await newKey();
    await warm(key.apiKey);
    await database.db.apiKey.update({ where: { id: key.id }, data: { permissions: ["payments:read"] } });
    await until(async () => {
      const seen = await Promise.all(instances.map((instance) => authenticate(instance, key.apiKey)));
      return seen.every((principal) => principal.permissions.join() === "payments:read");
    }, 1_000);
  });

  it("flushes and bypasses the cache while LISTEN is down, and caches again once it is back", async () => {
    const key = await newKey();
    await warm(key.apiKey);
    const [instance] = instances as [Db, Db];
    const listener = listenerOf(instance) as InvalidationListener;
    const pid = listener.backendPid;
    await silentlySetPermissions(key.id, ["payments:read"]);
    await queryDatabase(database.databaseUrl, `SELECT pg_terminate_backend(${Number(pid)})`);
    // The change was never notified: after the drop it must still be seen, never the cached value.
    await until(() => listener.live === false || listener.backendPid !== pid);
    expect((await authenticate(instance, key.apiKey)).permissions).toEqual(["payments:read"]);
    await until(() => listener.live && listener.backendPid !== pid);
    expect((await authenticate(instance, key.apiKey)).permissions).toEqual(["payments:read"]);
    // Back to caching: a silent change is not seen until notified or expired.
    await silentlySetPermissions(key.id, ["payments:write"]);
    expect((await authenticate(instance, key.apiKey)).permissions).toEqual(["payments:read"]);
  });

  it("expires entries after the TTL even without a notification", async () => {
    const key = await newKey();
    let now = 0;
    const listener = new Listener(database.databaseUrl);
    const cache = new ApiKeyCache(listener, { ttlMs: 1_000, now: () => now });
    try {
      await until(() => listener.live);
      const load = () => loadApiKey(database.db, hashApiKey(key.apiKey));
      const hash = hashApiKey(key.apiKey);
      expect((await cache.lookup(hash, load))?.permissions).toHaveLength(2);
      await silentlySetPermissions(key.id, ["payments:read"]);
      now = 999;
      expect((await cache.lookup(hash, load))?.permissions).toHaveLength(2);
      now = 1_001;
      expect((await cache.lookup(hash, load))?.permissions).toEqual(["payments:read"]);
    } finally {
      await listener.close();
    }
  });
});
