"use server";

import { revalidatePath } from "next/cache";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { updateMerchantSettings, ZMerchantSettings } from "@/lib/merchants/merchant-settings";

export type SettingsState = { saved: boolean; error: string | null; fieldErrors: Record<string, string> };

export async function updateSettingsAction(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const { db, merchant } = await requireMerchantSession("/dashboard/settings");
  const parsed = ZMerchantSettings.safeParse({
    name: form.get("name"),
    brandColor: form.get("brandColor") ?? "",
    defaultExpiryMinutes: form.get("defaultExpiryMinutes"),
  });
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { saved: false, error: "Check the highlighted fields.", fieldErrors };
  }
  await updateMerchantSettings(db, merchant.id, parsed.data);
  revalidatePath("/dashboard", "layout");
  return { saved: true, error: null, fieldErrors: {} };
}
