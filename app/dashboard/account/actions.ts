"use server";

import { redirect } from "next/navigation";
import { changePassword } from "@/lib/auth/change-password";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { actionErrorsOf } from "@/lib/dashboard/form-errors";

export type ChangePasswordState = { error: string | null; fieldErrors: Record<string, string> };

/** Changes the member's own password; every session ends, this one too, so sign-in follows. */
export async function changePasswordAction(
  _previous: ChangePasswordState,
  form: FormData,
): Promise<ChangePasswordState> {
  const { db, actor } = await requireMerchantSession("/dashboard/account");
  try {
    await changePassword(
      { db, actor },
      {
        current_password: String(form.get("current_password") ?? ""),
        new_password: String(form.get("new_password") ?? ""),
      },
    );
  } catch (error) {
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return messages;
  }
  redirect("/sign-in?callbackUrl=%2Fdashboard%2Faccount");
}
