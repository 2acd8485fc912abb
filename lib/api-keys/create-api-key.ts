import { createHash, randomBytes } from "node:crypto";
import type { TApiKeyPermission } from "../access/permissions";
import type { Db } from "../db/client";
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
 * Creates an API key for a merchant. The secret is returned once and stored only as its hash.
 * Permissions (see API_KEY_PERMISSIONS) are granted by the operator (no `grantedBy`) or by a
 * signed-in user, who must be the merchant's owner.
 */
export async function createApiKey(
  db: Db,
  params: {
    merchantId: string;
    name: string;
    permissions?: TApiKeyPermission[];
    /** The dashboard user creating the key; checked to be the owner when permissions are granted. */
    grantedBy?: { userId: string };
  },
): Promise<CreatedApiKey> {
  const permissions = [...new Set(params.permissions ?? [])].sort();
  if (permissions.length > 0 && params.grantedBy) {
    const owner = await db.user.findFirst({
      where: { id: params.grantedBy.userId, merchantId: params.merchantId, role: "owner" },
      select: { id: true },
    });
    if (!owner)
      throw new AppError(
        "forbidden",
        `Only the merchant owner can grant ${permissions.join(", ")} to an API key.`,
      );
  }
  const apiKey = generateApiKey();
  const row = await db.$transaction(async (tx) => {
    await assertBelowMerchantCap(tx, params.merchantId, "api_keys");
    return tx.apiKey.create({
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
  });
  return { ...row, permissions, apiKey };
}

/** Revokes a key of this merchant; false when it does not exist (or belongs to someone else). */
export async function revokeApiKey(db: Db, params: { merchantId: string; id: string }): Promise<boolean> {
  const { count } = await db.apiKey.updateMany({
    where: { id: params.id, merchantId: params.merchantId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}
