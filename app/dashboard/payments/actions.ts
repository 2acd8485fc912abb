"use server";

import { revalidatePath } from "next/cache";
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { actionOrigin } from "@/lib/dashboard/action-origin";
import {
  actionErrorsOf,
  type FormErrors,
  formErrorsOf,
  refusalNotice,
  submittedValues,
} from "@/lib/dashboard/form-errors";
import { ZNewFiatPaymentForm, ZNewPaymentForm } from "@/lib/dashboard/payment-form";
import { ZRefundForm } from "@/lib/dashboard/payout-form";
import { AppError } from "@/lib/errors";
import { cancelPayment } from "@/lib/payments/cancel-payment";
import { createFiatPayment, ZCreateFiatPayment } from "@/lib/payments/create-fiat-payment";
import { createPayment, ZCreatePayment } from "@/lib/payments/create-payment";
import { extendPaymentExpiry, ZExtendPaymentExpiry } from "@/lib/payments/extend-payment-expiry";
import { resolvePayment } from "@/lib/payments/resolve-payment";
import {
  resolveUnattributedTransfer,
  ZResolveUnattributedTransfer,
} from "@/lib/payments/resolve-unattributed-transfer";
import { refundPayment } from "@/lib/payouts/refund-payment";

export type NewPaymentState = {
  error: string | null;
  fieldErrors: Record<string, string>;
  /** What was submitted, so the re-shown form keeps every value and selection. */
  values: Record<string, string>;
  /** The coins ticked in the "price in fiat" form ("chain:SYMBOL"). */
  accepts?: string[];
};

/**
 * Creates a payment: "fixed coin amount" (`pricing` absent or `coin`) or "price in fiat"
 * (`pricing=fiat`), through the same services as `POST /api/v1/payments`.
 */
export async function createPaymentAction(
  _previous: NewPaymentState,
  form: FormData,
): Promise<NewPaymentState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/payments/new");
  const fields = Object.fromEntries([...form.entries()].filter(([key]) => !key.startsWith("$")));
  const accepts = form.getAll("accepts").map(String);
  const deps = { db, actor, chains: configuredChains(), baseUrl: publicUrl() };
  let paymentId: string;
  try {
    const payment =
      fields.pricing === "fiat"
        ? await createFiatPayment(
            deps,
            merchant.id,
            ZNewFiatPaymentForm.pipe(ZCreateFiatPayment).parse({ ...fields, accepts }),
          )
        : await createPayment(deps, merchant.id, ZNewPaymentForm.pipe(ZCreatePayment).parse(fields));
    paymentId = payment.id;
  } catch (error) {
    const messages = newPaymentErrorsOf(error);
    if (!messages) throw error;
    return { ...messages, values: submittedValues(form), accepts };
  }
  revalidatePath("/dashboard");
  redirect(`/dashboard/payments/${paymentId}?created=1`);
}

/** The form's messages; the service's `price.*` errors belong to the price field, a missing rate to the form. */
function newPaymentErrorsOf(error: unknown): FormErrors | null {
  if (error instanceof AppError && error.code === "rate_unavailable")
    return {
      error: `No exchange rate can be had right now for a coin this payment accepts: ${error.message} Try again shortly, or accept only coins with a rate (stablecoins need none).`,
      fieldErrors: {},
    };
  const messages = formErrorsOf(error);
  if (!messages?.fieldErrors.price) return messages;
  const { price, ...fieldErrors } = messages.fieldErrors;
  return { ...messages, fieldErrors: { price_amount: price, ...fieldErrors } };
}

const ZPaymentId = z.string().regex(/^pay_[0-9A-Za-z]{22}$/);

export async function cancelPaymentAction(form: FormData): Promise<void> {
  const parsed = ZPaymentId.safeParse(form.get("paymentId"));
  if (!parsed.success) notFound();
  const id = parsed.data;
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/payments/${id}`);
  let notice = "canceled";
  try {
    await cancelPayment({ db, actor }, merchant.id, id, publicUrl());
  } catch (error) {
    notice = refusalNotice(error, "cancel-refused");
  }
  revalidatePath(`/dashboard/payments/${id}`);
  redirect(`/dashboard/payments/${id}?notice=${notice}`);
}

/**
 * Accepts an expired payment paid late in full (paid_late) or partly (underpaid, for what arrived):
 * it becomes confirmed (and is swept).
 */
export async function resolvePaymentAction(form: FormData): Promise<void> {
  const parsed = ZPaymentId.safeParse(form.get("paymentId"));
  if (!parsed.success) notFound();
  const id = parsed.data;
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/payments/${id}`);
  let notice = "resolved";
  try {
    const accepted = await resolvePayment({ db, actor }, merchant.id, id, publicUrl());
    if (accepted.exception === "underpaid") notice = "accepted-underpaid";
  } catch (error) {
    notice = refusalNotice(error, "resolve-refused");
  }
  revalidatePath(`/dashboard/payments/${id}`);
  redirect(`/dashboard/payments/${id}?notice=${notice}`);
}

/** Gives a pending (unpaid or partly paid) payment more time: `minutes` past its current expiry. */
export async function extendPaymentExpiryAction(form: FormData): Promise<void> {
  const parsed = ZPaymentId.safeParse(form.get("paymentId"));
  if (!parsed.success) notFound();
  const id = parsed.data;
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/payments/${id}`);
  const input = ZExtendPaymentExpiry.safeParse({ extend_by_minutes: Number(form.get("minutes")) });
  if (!input.success) redirect(`/dashboard/payments/${id}?notice=extend-too-long`);
  let notice = "extended";
  try {
    await extendPaymentExpiry(
      { db, actor, origin: await actionOrigin(), baseUrl: publicUrl() },
      merchant.id,
      id,
      input.data,
    );
  } catch (error) {
    notice =
      error instanceof AppError && error.code === "validation_failed"
        ? "extend-too-long"
        : refusalNotice(error, "extend-refused");
  }
  revalidatePath(`/dashboard/payments/${id}`);
  redirect(`/dashboard/payments/${id}?notice=${notice}`);
}

export type RefundState = {
  error: string | null;
  fieldErrors: Record<string, string>;
  values: Record<string, string>;
};

/**
 * Refunds a payment settled to the balance (everything left, or the amount given, e.g. the overpaid
 * part): a payout linked to the payment, whose page opens. The service's refusals (treasury mode,
 * not settled, more than received) come back as the form's errors.
 */
export async function refundPaymentAction(_previous: RefundState, form: FormData): Promise<RefundState> {
  const parsed = ZPaymentId.safeParse(form.get("paymentId"));
  if (!parsed.success) notFound();
  const id = parsed.data;
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/payments/${id}`);
  let payoutId: string;
  try {
    const input = ZRefundForm.parse(Object.fromEntries(form.entries()));
    payoutId = (
      await refundPayment(
        { db, actor, origin: await actionOrigin(), chains: configuredChains() },
        merchant.id,
        id,
        input,
      )
    ).id;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return { ...messages, values: submittedValues(form) };
  }
  revalidatePath("/dashboard", "layout");
  redirect(`/dashboard/payouts/${payoutId}?notice=refund-created`);
}

export type UnattributedState = RefundState;

/**
 * Resolves a transfer the payment does not accept: keep it (`accepted`: swept to the merchant) or
 * send it back (`refunded`, to the address typed), through the API's own service. A refusal (bad
 * address, already resolved, no permission) comes back as the form's errors, keeping what was typed.
 */
export async function resolveUnattributedTransferAction(
  _previous: UnattributedState,
  form: FormData,
): Promise<UnattributedState> {
  const parsed = ZPaymentId.safeParse(form.get("paymentId"));
  if (!parsed.success) notFound();
  const id = parsed.data;
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/payments/${id}`);
  const resolution = form.get("resolution");
  try {
    const input = ZResolveUnattributedTransfer.parse({
      chain: form.get("chain"),
      tx_hash: form.get("tx_hash"),
      log_index: Number(form.get("log_index")),
      resolution,
      ...(resolution === "refunded" ? { refund_address: form.get("refund_address") } : {}),
    });
    await resolveUnattributedTransfer(
      { db, actor, origin: await actionOrigin(), baseUrl: publicUrl() },
      merchant.id,
      id,
      input,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    if (error instanceof AppError && error.code === "forbidden")
      return { error: error.message, fieldErrors: {}, values: submittedValues(form) };
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return { ...messages, values: submittedValues(form) };
  }
  revalidatePath(`/dashboard/payments/${id}`);
  redirect(
    `/dashboard/payments/${id}?notice=${resolution === "refunded" ? "transfer-refunded" : "transfer-accepted"}`,
  );
}
