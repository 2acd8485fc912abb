"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { hasPermission } from "@/lib/access/actor";
import { DEFAULT_API_KEY_PERMISSIONS, ZApiKeyPermission } from "@/lib/access/permissions";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/create-api-key";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { actionOrigin } from "@/lib/dashboard/action-origin";
import { actionErrorsOf, refusalNotice } from "@/lib/dashboard/form-errors";
import { zText } from "@/lib/validation/text";

export type CreateApiKeyState = { error: string | null; created: { name: string; apiKey: string } | null };

const ZKeyName = zText().trim().min(1, "Name the key, e.g. “production server”").max(100);
/** The ticked permission checkboxes. */
const ZKeyPermissions = z.array(ZApiKeyPermission, { error: "Choose permissions from the list" });

export async function createApiKeyAction(
  _previous: CreateApiKeyState,
  form: FormData,
): Promise<CreateApiKeyState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/api-keys");
  const name = ZKeyName.safeParse(form.get("name"));
  if (!name.success) return { error: name.error.issues[0]?.message ?? "Invalid name", created: null };
  const permissions = ZKeyPermissions.safeParse(form.getAll("permissions"));
  if (!permissions.success) return { error: "Choose permissions from the list.", created: null };
  const chosen = form.get("permissionsOffered") !== null || permissions.data.length > 0;
  let key: Awaited<ReturnType<typeof createApiKey>>;
  try {
    // createApiKey checks keys:write and that the member holds every permission it grants.
    key = await createApiKey(
      { db, actor, origin: await actionOrigin() },
      {
        merchantId: merchant.id,
        name: name.data,
        // Without the checkboxes: the default set, as far as the member holds it (the form's pre-checks).
        permissions: chosen
          ? permissions.data
          : DEFAULT_API_KEY_PERMISSIONS.filter((permission) => hasPermission(actor, permission)),
      },
    );
  } catch (error) {
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return { error: messages.error, created: null };
  }
  revalidatePath("/dashboard/api-keys");
  // The secret goes back to this signed-in browser once; only its hash is stored.
  return { error: null, created: { name: key.name, apiKey: key.apiKey } };
}

const ZKeyId = z.string().regex(/^key_[0-9A-Za-z]{22}$/);

export async function revokeApiKeyAction(form: FormData): Promise<void> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/api-keys");
  const id = ZKeyId.safeParse(form.get("keyId"));
  let notice = "not-revoked";
  try {
    if (
      id.success &&
      (await revokeApiKey(
        { db, actor, origin: await actionOrigin() },
        { merchantId: merchant.id, id: id.data },
      ))
    )
      notice = "revoked";
  } catch (error) {
    notice = refusalNotice(error);
  }
  revalidatePath("/dashboard/api-keys");
  redirect(`/dashboard/api-keys?notice=${notice}`);
}
