"use server";

import { revalidatePath } from "next/cache";
import { notFound, redirect } from "next/navigation";
import { reconfirmPassword } from "@/lib/auth/reconfirm-password";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { actionOrigin } from "@/lib/dashboard/action-origin";
import { actionErrorsOf, type FormErrors, submittedValues } from "@/lib/dashboard/form-errors";
import { ZPayoutLimitsForm } from "@/lib/dashboard/payout-form";
import { ZQuoteSettingsForm } from "@/lib/dashboard/quote-settings-form";
import { ZTreasuryForm } from "@/lib/dashboard/treasury-form";
import { AppError } from "@/lib/errors";
import { updateMerchantSettings, ZMerchantSettings } from "@/lib/merchants/merchant-settings";
import { setQuoteSettings, ZSetQuoteSettings } from "@/lib/merchants/quote-settings";
import { setPayoutLimits } from "@/lib/payouts/payout-limits";
import { cancelSettingChange } from "@/lib/settlement/cancel-setting-change";
import { setTreasurySetting } from "@/lib/settlement/set-treasury-setting";

export type SettingsState = { saved: boolean; error: string | null; fieldErrors: Record<string, string> };

/** A form's messages for bad input, a refused state or a missing permission; null for anything else. */
function refusalOf(error: unknown): FormErrors | null {
  if (error instanceof AppError && error.code === "forbidden")
    return { error: error.message, fieldErrors: {} };
  return actionErrorsOf(error);
}

/** Business name, brand colour and default expiry: settings that route no money (account:write). */
export async function updateSettingsAction(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const { db, merchant, actor } = await requireMerchantSession("/dashboard/settings");
  try {
    const input = ZMerchantSettings.parse({
      name: form.get("name"),
      brandColor: form.get("brandColor") ?? "",
      defaultExpiryMinutes: form.get("defaultExpiryMinutes"),
    });
    await updateMerchantSettings({ db, actor }, merchant.id, input);
  } catch (error) {
    const messages = refusalOf(error);
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
  /** The mode and address in effect (checksummed) after a save. */
  mode: "treasury" | "balance" | null;
  address: string | null;
  /** When the saved change takes effect, if it waits (ISO 8601); null when it took effect at once. */
  effectiveAt?: string | null;
  /** What was submitted (shown again after an error; never the password), or null after a save. */
  values: Record<string, string> | null;
};

/** The submitted fields without the password, so a refused form keeps what was typed. */
function typedValues(form: FormData): Record<string, string> {
  const { password: _password, ...values } = submittedValues(form);
  return values;
}

/**
 * Sets the settlement of one chain: `treasury` (confirmed payments are swept to the address given)
 * or `balance` (swept to the merchant's hot wallet and credited to its balance; an address given is
 * kept for switching back). A change of an existing setting waits for the money-routing delay.
 */
export async function setTreasuryAction(_previous: TreasuryState, form: FormData): Promise<TreasuryState> {
  const { db, merchant, actor } = await requireMerchantSession("/dashboard/settings");
  try {
    // The owner's password again (checked after the role): a session alone cannot redirect sweeps.
    await reconfirmPassword({ db, actor }, merchant.id, "settings:write", form.get("password"));
    const setting = await setTreasurySetting(
      { db, chains: configuredChains(), actor, origin: await actionOrigin() },
      merchant.id,
      ZTreasuryForm.parse(Object.fromEntries(form.entries())),
    );
    revalidatePath("/dashboard", "layout");
    return {
      saved: true,
      error: null,
      fieldErrors: {},
      mode: setting.mode,
      address: setting.address,
      effectiveAt: setting.pending_change?.effective_at ?? null,
      values: null,
    };
  } catch (error) {
    const messages = refusalOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages, mode: null, address: null, values: typedValues(form) };
  }
}

export type PayoutLimitsState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  /** What was submitted (shown again after an error), or null after a save. */
  values: Record<string, string> | null;
  /** When a loosening part takes effect (ISO 8601); null when everything took effect at once. */
  effectiveAt?: string | null;
};

/**
 * Sets the payout limits and auto-approval threshold of one chain and token (empty = none), with
 * the owner's password again; the service refuses limits that contradict each other.
 */
export async function setPayoutLimitsAction(
  _previous: PayoutLimitsState,
  form: FormData,
): Promise<PayoutLimitsState> {
  const { db, merchant, actor } = await requireMerchantSession("/dashboard/settings");
  let effectiveAt: string | null = null;
  try {
    await reconfirmPassword({ db, actor }, merchant.id, "settings:write", form.get("password"));
    const input = ZPayoutLimitsForm.parse(Object.fromEntries(form.entries()));
    const limits = await setPayoutLimits(
      { db, chains: configuredChains(), actor, origin: await actionOrigin() },
      merchant.id,
      input,
    );
    effectiveAt = limits.pending_change?.effective_at ?? null;
  } catch (error) {
    const messages = refusalOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages, values: typedValues(form) };
  }
  revalidatePath("/dashboard/settings");
  return { saved: true, error: null, fieldErrors: {}, values: null, effectiveAt };
}

/** Cancels a scheduled money-routing change (owner only); another merchant's change is not found. */
export async function cancelSettingChangeAction(form: FormData): Promise<void> {
  const { db, merchant, actor } = await requireMerchantSession("/dashboard/settings");
  let notice = "change-canceled";
  try {
    await cancelSettingChange(
      { db, chains: configuredChains(), actor, origin: await actionOrigin() },
      merchant.id,
      String(form.get("changeId") ?? ""),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    if (error instanceof AppError && error.code === "forbidden") notice = "change-forbidden";
    else if (error instanceof AppError && error.code === "invalid_state") notice = "change-not-pending";
    else throw error;
  }
  revalidatePath("/dashboard/settings");
  redirect(`/dashboard/settings?notice=${notice}`);
}

export type QuoteSettingsState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  /** What was submitted (shown again after an error), or null after a save. */
  values: Record<string, string> | null;
  /** The coins ticked when submitted ("chain:SYMBOL"), or null after a save. */
  acceptedCoins: string[] | null;
};

/**
 * Quote window, underpayment tolerance, accepted coins and display currency of fiat-priced payments
 * (settings:write, the owner: the tolerance decides what counts as paid). Same service as the API.
 */
export async function setQuoteSettingsAction(
  _previous: QuoteSettingsState,
  form: FormData,
): Promise<QuoteSettingsState> {
  const { db, merchant, actor } = await requireMerchantSession("/dashboard/settings");
  const acceptedCoins = form.getAll("accepted_coins").map(String);
  try {
    const input = ZQuoteSettingsForm.pipe(ZSetQuoteSettings).parse({
      ...Object.fromEntries(form.entries()),
      accepted_coins: acceptedCoins,
    });
    await setQuoteSettings(
      { db, chains: configuredChains(), actor, origin: await actionOrigin() },
      merchant.id,
      input,
    );
  } catch (error) {
    const messages = refusalOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages, values: submittedValues(form), acceptedCoins };
  }
  revalidatePath("/dashboard", "layout");
  return { saved: true, error: null, fieldErrors: {}, values: null, acceptedCoins: null };
}
