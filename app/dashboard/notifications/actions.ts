"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { actionErrorsOf } from "@/lib/dashboard/form-errors";
import { markNotificationsRead, setNotificationPreferences } from "@/lib/notifications/manage-notifications";

const PATH = "/dashboard/notifications";

export type NotificationPreferencesState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
};

/** The member's own email choices: every kind checked is emailed, the others are opted out. */
export async function setNotificationPreferencesAction(
  _previous: NotificationPreferencesState,
  form: FormData,
): Promise<NotificationPreferencesState> {
  const { db, actor } = await requireMerchantSession(PATH);
  const email = form.getAll("email").map((value) => (typeof value === "string" ? value : ""));
  try {
    await setNotificationPreferences({ db, actor }, { email });
  } catch (error) {
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return { saved: false, ...messages };
  }
  revalidatePath(PATH);
  return { saved: true, error: null, fieldErrors: {} };
}

/** Marks the member's notifications read. */
export async function markNotificationsReadAction(): Promise<never> {
  const { db, actor } = await requireMerchantSession(PATH);
  await markNotificationsRead({ db, actor });
  revalidatePath(PATH);
  redirect(`${PATH}?notice=read`);
}
