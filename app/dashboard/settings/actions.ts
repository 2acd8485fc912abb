"use server";

import { revalidatePath } from "next/cache";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { formErrorsOf, submittedValues } from "@/lib/dashboard/form-errors";
import { ZPayoutLimitsForm } from "@/lib/dashboard/payout-form";
import { updateMerchantSettings, ZMerchantSettings } from "@/lib/merchants/merchant-settings";
import { setPayoutLimits } from "@/lib/payouts/payout-limits";
import { setTreasurySetting } from "@/lib/settlement/set-treasury-setting";

export type SettingsState = { saved: boolean; error: string | null; fieldErrors: Record<string, string> };

export async function updateSettingsAction(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/settings");
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
  try {
    await updateMerchantSettings({ db, actor }, merchant.id, parsed.data);
  } catch (error) {
    const messages = formErrorsOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages };
  }
  revalidatePath("/dashboard", "layout");
  return { saved: true, error: null, fieldErrors: {} };
}

export type TreasuryState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  /** The mode and address as stored (checksummed) after a save. */
  mode: "treasury" | "balance" | null;
  address: string | null;
};

/**
 * Sets the settlement of one chain: `treasury` (confirmed payments are swept to the address given)
 * or `balance` (swept to the merchant's hot wallet and credited to its balance; an address given is
 * kept for switching back).
 */
export async function setTreasuryAction(_previous: TreasuryState, form: FormData): Promise<TreasuryState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/settings");
  const address = String(form.get("address") ?? "").trim();
  try {
    const setting = await setTreasurySetting({ db, actor, chains: configuredChains() }, merchant.id, {
      chain: String(form.get("chain") ?? ""),
      mode: form.get("mode") === "balance" ? "balance" : "treasury",
      address: address === "" ? null : address,
    });
    revalidatePath("/dashboard", "layout");
    return { saved: true, error: null, fieldErrors: {}, mode: setting.mode, address: setting.address };
  } catch (error) {
    const messages = formErrorsOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages, mode: null, address: null };
  }
}

export type PayoutLimitsState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  /** What was submitted (shown again after an error), or null after a save. */
  values: Record<string, string> | null;
};

/** Sets the payout limits and auto-approval threshold of one chain and token (empty = none). */
export async function setPayoutLimitsAction(
  _previous: PayoutLimitsState,
  form: FormData,
): Promise<PayoutLimitsState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/settings");
  try {
    const input = ZPayoutLimitsForm.parse(Object.fromEntries(form.entries()));
    await setPayoutLimits({ db, actor, chains: configuredChains() }, merchant.id, input);
  } catch (error) {
    const messages = formErrorsOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages, values: submittedValues(form) };
  }
  revalidatePath("/dashboard/settings");
  return { saved: true, error: null, fieldErrors: {}, values: null };
}
