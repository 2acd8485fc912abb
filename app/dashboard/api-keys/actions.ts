"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { AppError } from "@/lib/errors";
import { zText } from "@/lib/validation/text";

export type CreateApiKeyState = { error: string | null; created: { name: string; apiKey: string } | null };

const ZKeyName = zText().trim().min(1, "Name the key, e.g. “production server”").max(100);

export async function createApiKeyAction(
  _previous: CreateApiKeyState,
  form: FormData,
): Promise<CreateApiKeyState> {
  const { db, merchant, userId } = await requireMerchantSession("/dashboard/api-keys");
  const name = ZKeyName.safeParse(form.get("name"));
  if (!name.success) return { error: name.error.issues[0]?.message ?? "Invalid name", created: null };
  const canApprovePayouts = form.get("approvePayouts") === "on";
  let key: Awaited<ReturnType<typeof createApiKey>>;
  try {
    // createApiKey checks that this user is the owner before granting a permission.
    key = await createApiKey(db, {
      merchantId: merchant.id,
      name: name.data,
      permissions: canApprovePayouts ? ["payouts:approve"] : [],
      grantedBy: { userId },
    });
  } catch (error) {
    // Not the owner (granting a permission), or the merchant's cap of active keys reached.
    if (error instanceof AppError && (error.code === "forbidden" || error.code === "invalid_state"))
      return { error: error.message, created: null };
    throw error;
  }
  revalidatePath("/dashboard/api-keys");
  // The secret goes back to this signed-in browser once; only its hash is stored.
  return { error: null, created: { name: key.name, apiKey: key.apiKey } };
}

const ZKeyId = z.string().regex(/^key_[0-9A-Za-z]{22}$/);

export async function revokeApiKeyAction(form: FormData): Promise<void> {
  const { db, merchant } = await requireMerchantSession("/dashboard/api-keys");
  const id = ZKeyId.safeParse(form.get("keyId"));
  const revoked = id.success && (await revokeApiKey(db, { merchantId: merchant.id, id: id.data }));
  revalidatePath("/dashboard/api-keys");
  redirect(`/dashboard/api-keys?notice=${revoked ? "revoked" : "not-revoked"}`);
}
