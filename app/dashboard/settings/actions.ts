"use server";

import { revalidatePath } from "next/cache";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { formErrorsOf } from "@/lib/dashboard/form-errors";
import { updateMerchantSettings, ZMerchantSettings } from "@/lib/merchants/merchant-settings";
import { setTreasurySetting } from "@/lib/settlement/set-treasury-setting";

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

export type TreasuryState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  /** The address as stored (checksummed) after a save. */
  address: string | null;
};

/** Sets the treasury address of one chain (settlement mode `treasury`): confirmed payments are swept there. */
export async function setTreasuryAction(_previous: TreasuryState, form: FormData): Promise<TreasuryState> {
  const { db, merchant } = await requireMerchantSession("/dashboard/settings");
  const address = String(form.get("address") ?? "").trim();
  try {
    const setting = await setTreasurySetting({ db, chains: configuredChains() }, merchant.id, {
      chain: String(form.get("chain") ?? ""),
      mode: "treasury",
      address: address === "" ? null : address,
    });
    revalidatePath("/dashboard/settings");
    return { saved: true, error: null, fieldErrors: {}, address: setting.address };
  } catch (error) {
    const messages = formErrorsOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages, address: null };
  }
}
