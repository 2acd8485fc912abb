import { type AccessDeps, authorize } from "../access/actor";
import type { TApiKeyPermission } from "../access/permissions";
import { knownApiKeyPermissions } from "../access/permissions";
import type { Db } from "../db/client";

export type ApiKeySummary = {
  id: string;
  name: string;
  /** Last four characters of the secret, to recognise it: the secret itself is never stored. */
  hint: string;
  permissions: TApiKeyPermission[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/**
 * A merchant's API keys with the permissions each holds, newest first, active before revoked. Any
 * member sees the list (keys:write is needed to change it).
 */
export async function listApiKeys(
  { db, actor }: { db: Db } & AccessDeps,
  merchantId: string,
): Promise<ApiKeySummary[]> {
  // Members of the merchant and the operator read it; a key (or another merchant) would need keys:write.
  if (actor.type === "api_key" || (actor.type === "user" && actor.merchantId !== merchantId))
    authorize(actor, merchantId, "keys:write");
  const rows = await db.apiKey.findMany({
    where: { merchantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: {
      id: true,
      name: true,
      keyHint: true,
      permissions: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
    },
    take: 200,
  });
  return rows
    .map((row) => ({
      id: row.id,
      name: row.name,
      hint: row.keyHint,
      permissions: knownApiKeyPermissions(row.permissions),
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      revokedAt: row.revokedAt?.toISOString() ?? null,
    }))
    .sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}
