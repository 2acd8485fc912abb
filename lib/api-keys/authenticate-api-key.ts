import { timingSafeEqual } from "node:crypto";
import { type Actor, apiKeyActor } from "../access/actor";
import { knownApiKeyPermissions, type TApiKeyPermission } from "../access/permissions";
import type { Db } from "../db/client";
import { API_KEY_CHANNELS, cacheBackingOf } from "../db/invalidation";
import { perClient, perClientIfSet } from "../db/per-client";
import { AppError } from "../errors";
import { ApiKeyCache, type CachedApiKey } from "./api-key-cache";
import { hashApiKey } from "./create-api-key";

export type ApiKeyPrincipal = {
  apiKeyId: string;
  merchantId: string;
  permissions: TApiKeyPermission[];
  /** The key as the services see it (lib/access/actor.ts). */
  actor: Actor;
};

const KEY_FORMAT = /^sk_[0-9A-Za-z]{43}$/;
/** last_used_at is a hint for the dashboard: write it at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves `Authorization: Bearer sk_…` to its merchant. Keys are looked up by their SHA-256 hash
 * and the stored hash is compared in constant time; revoked and unknown keys get the same answer.
 */
export async function authenticateApiKey(
  db: Db,
  authorization: string | null,
  now = new Date(),
): Promise<ApiKeyPrincipal> {
  if (!authorization)
    throw new AppError("unauthorized", "Missing API key: send Authorization: Bearer sk_…", {
      headers: { "www-authenticate": 'Bearer realm="api"' },
    });
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const apiKey = match?.[1] ?? "";
  if (!KEY_FORMAT.test(apiKey))
    throw new AppError("unauthorized", "Malformed API key: expected Authorization: Bearer sk_…", {
      headers: { "www-authenticate": 'Bearer realm="api", error="invalid_token"' },
    });

  const keyHash = hashApiKey(apiKey);
  const load = () => loadApiKey(db, keyHash);
  const cache = await apiKeyCacheOf(db);
  const row = cache ? await cache.lookup(keyHash, load) : await load();
  const valid =
    row !== null && row.revokedAt === null && timingSafeEqual(Buffer.from(row.keyHash), Buffer.from(keyHash));
  if (!row || !valid)
    throw new AppError("unauthorized", "Invalid or revoked API key", {
      headers: { "www-authenticate": 'Bearer realm="api", error="invalid_token"' },
    });

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS)
    await db.apiKey
      .updateMany({
        where: {
          id: row.id,
          OR: [
            { lastUsedAt: null },
            { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } },
          ],
        },
        data: { lastUsedAt: now },
      })
      .then(() => cache?.touched(keyHash, now));
  const permissions = knownApiKeyPermissions(row.permissions);
  return {
    apiKeyId: row.id,
    merchantId: row.merchantId,
    permissions,
    actor: apiKeyActor({ merchantId: row.merchantId, apiKeyId: row.id, permissions }),
  };
}

/** The key row with this hash, as the cache keeps it. */
export function loadApiKey(db: Db, keyHash: string): Promise<CachedApiKey | null> {
  return db.apiKey.findUnique({
    where: { keyHash },
    select: {
      id: true,
      merchantId: true,
      keyHash: true,
      revokedAt: true,
      lastUsedAt: true,
      permissions: true,
    },
  });
}

/**
 * The cache of a client made by createDb (one per app instance), with its own LISTEN connection;
 * none for other clients (a transaction client, a test double): those always read the database.
 */
async function apiKeyCacheOf(db: Db): Promise<ApiKeyCache | undefined> {
  const cached = perClientIfSet<ApiKeyCache>(db, "apiKeyCache");
  if (cached) return cached;
  const backing = await cacheBackingOf(db, API_KEY_CHANNELS);
  return backing && perClient(db, "apiKeyCache", () => new ApiKeyCache(backing.listener));
}
