"use server";

import { revalidatePath } from "next/cache";
import { notFound, redirect } from "next/navigation";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { actionOrigin } from "@/lib/dashboard/action-origin";
import { actionErrorsOf, refusalNotice, submittedValues } from "@/lib/dashboard/form-errors";
import { ZNewPayoutForm } from "@/lib/dashboard/payout-form";
import { ZIdParams } from "@/lib/http/route-params";
import { createPayout } from "@/lib/payouts/create-payout";
import { approvePayout, rejectPayout } from "@/lib/payouts/review-payout";

export type NewPayoutState = {
  error: string | null;
  fieldErrors: Record<string, string>;
  /** What was submitted, shown again next to the errors. */
  values: Record<string, string>;
};

/** Creates a payout from the balance; on success opens its page (pending approval or approved). */
export async function createPayoutAction(_previous: NewPayoutState, form: FormData): Promise<NewPayoutState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/payouts/new");
  let payoutId: string;
  try {
    const input = ZNewPayoutForm.parse(Object.fromEntries(form.entries()));
    payoutId = (await createPayout({ db, actor, chains: configuredChains() }, merchant.id, input)).id;
  } catch (error) {
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return { ...messages, values: submittedValues(form) };
  }
  revalidatePath("/dashboard", "layout");
  redirect(`/dashboard/payouts/${payoutId}?notice=created`);
}

const ZPayoutId = ZIdParams("po").shape.id;

/**
 * Approves or rejects a payout pending approval. Only the merchant's owner reviews payouts; a payout
 * no longer pending (approved or rejected meanwhile) comes back with a notice, another merchant's is
 * a 404.
 */
async function reviewPayout(form: FormData, decision: "approve" | "reject"): Promise<never> {
  const parsed = ZPayoutId.safeParse(form.get("payoutId"));
  if (!parsed.success) notFound();
  const id = parsed.data;
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/payouts/${id}`);
  let notice: string = decision === "approve" ? "approved" : "rejected";
  try {
    const review = decision === "approve" ? approvePayout : rejectPayout;
    // The service checks payouts:approve (the owner's), the same check as for API keys.
    await review({ db, actor, origin: await actionOrigin(), chains: configuredChains() }, merchant.id, id);
  } catch (error) {
    notice = refusalNotice(error, "review-refused");
    if (notice === "forbidden") notice = "review-forbidden";
  }
  revalidatePath("/dashboard", "layout");
  redirect(`/dashboard/payouts/${id}?notice=${notice}`);
}

export async function approvePayoutAction(form: FormData): Promise<void> {
  await reviewPayout(form, "approve");
}

export async function rejectPayoutAction(form: FormData): Promise<void> {
  await reviewPayout(form, "reject");
}
