import { createHash, randomBytes } from "node:crypto";
import { type AccessDeps, authorize, authorizeGrant } from "../access/actor";
import { DEFAULT_API_KEY_PERMISSIONS, type TApiKeyPermission } from "../access/permissions";
import { recordAuditEntry } from "../audit/record-audit-entry";
import type { Db } from "../db/client";
import { API_KEY_CHANNELS, invalidationListenerOf } from "../db/invalidation";
import { AppError } from "../errors";
import { newId } from "../ids";
import { assertBelowMerchantCap } from "../merchants/merchant-caps";

export type CreatedApiKey = {
  id: string;
  apiKey: string;
  name: string;
  permissions: TApiKeyPermission[];
  createdAt: Date;
};

const KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** SHA-256 (hex) of a secret key: what the database stores and looks keys up by. */
export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex");
}

/** `sk_` + 32 random bytes in base62 (43 characters). */
export function generateApiKey(): string {
  let value = BigInt(`0x${randomBytes(32).toString("hex")}`);
  let body = "";
  for (let i = 0; i < 43; i++) {
    body = KEY_ALPHABET[Number(value % 62n)] + body;
    value /= 62n;
  }
  return `sk_${body}`;
}

/**
 * Creates an API key for a merchant with the permissions chosen at creation (the default set when
 * none are named: everything but approving payouts and money routing). The secret is returned once
 * and stored only as its hash. The creator needs keys:write and may grant only permissions it holds
 * itself (so payouts:approve and settings:write only by the owner, or the operator at the admin CLI).
 */
export async function createApiKey(
  deps: { db: Db } & AccessDeps,
  params: { merchantId: string; name: string; permissions?: readonly TApiKeyPermission[] },
): Promise<CreatedApiKey> {
  authorize(deps.actor, params.merchantId, "keys:write");
  const permissions = [...new Set(params.permissions ?? DEFAULT_API_KEY_PERMISSIONS)].sort();
  if (permissions.length === 0)
    throw new AppError("validation_failed", "permissions: choose at least one permission", {
      errors: [{ path: "permissions", message: "choose at least one permission" }],
    });
  authorizeGrant(deps.actor, params.merchantId, permissions);
  const apiKey = generateApiKey();
  const row = await deps.db.$transaction(async (tx) => {
    await assertBelowMerchantCap(tx, params.merchantId, "api_keys");
    const created = await tx.apiKey.create({
      data: {
        id: newId("key"),
        merchantId: params.merchantId,
        name: params.name.trim() || "API key",
        keyHash: hashApiKey(apiKey),
        keyHint: apiKey.slice(-4),
        permissions,
      },
      select: { id: true, name: true, createdAt: true },
    });
    await recordAuditEntry(tx, {
      merchantId: params.merchantId,
      actor: deps.actor,
      action: "api_key.created",
      targetId: created.id,
      details: { name: created.name, permissions },
      origin: deps.origin,
    });
    return created;
  });
  return { ...row, permissions, apiKey };
}

/**
 * Revokes a key of this merchant (needs keys:write); false when it does not exist, is already
 * revoked or belongs to someone else.
 */
export async function revokeApiKey(
  deps: { db: Db } & AccessDeps,
  params: { merchantId: string; id: string },
): Promise<boolean> {
  authorize(deps.actor, params.merchantId, "keys:write");
  const revoked = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({
      where: { id: params.id, merchantId: params.merchantId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count !== 1) return false;
    await recordAuditEntry(tx, {
      merchantId: params.merchantId,
      actor: deps.actor,
      action: "api_key.revoked",
      targetId: params.id,
      origin: deps.origin,
    });
    return true;
  });
  // This instance's key cache drops the key now; the other instances get PostgreSQL's notification.
  if (revoked) invalidationListenerOf(deps.db, API_KEY_CHANNELS)?.changed("ctrip_api_keys", params.id);
  return revoked;
}
