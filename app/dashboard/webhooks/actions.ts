"use server";

import { revalidatePath } from "next/cache";
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { safeCallbackPath } from "@/lib/auth/safe-callback-path";
import { actionErrorsOf, refusalNotice } from "@/lib/dashboard/form-errors";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { createWebhookEndpoint } from "@/lib/webhooks/create-webhook-endpoint";
import { deleteWebhookEndpoint, updateWebhookEndpoint } from "@/lib/webhooks/manage-webhook-endpoints";
import { retryWebhookDelivery } from "@/lib/webhooks/retry-webhook-delivery";
import { rotateWebhookSecret } from "@/lib/webhooks/rotate-webhook-secret";
import { sendTestWebhook, type TWebhookTestResult } from "@/lib/webhooks/send-test-webhook";
import { webhookDeps } from "@/lib/webhooks/webhook-deps";
import { ZCreateWebhookEndpoint, ZUpdateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoint-object";

const ZEndpointId = z.string().regex(/^we_[0-9A-Za-z]{22}$/);
const ZDeliveryId = z.string().regex(/^wd_[0-9A-Za-z]{22}$/);

/** The endpoint form's fields: an empty description is none; no event ticked = every event. */
function endpointFields(form: FormData) {
  const description = String(form.get("description") ?? "").trim();
  return {
    url: String(form.get("url") ?? "").trim(),
    description: description === "" ? null : description,
    enabled_events: form.getAll("enabled_events").map(String),
  };
}

/** The endpoint id of a form, or the not-found page (a tampered form is not a user error). */
function endpointIdOf(form: FormData): string {
  const id = ZEndpointId.safeParse(form.get("endpointId"));
  if (!id.success) notFound();
  return id.data;
}

function rethrowUnlessNotFound(error: unknown): never {
  if (error instanceof AppError && error.code === "not_found") notFound();
  throw error;
}

/** The message of a refusal for the member's role (the form shows it), else as rethrowUnlessNotFound. */
function forbiddenMessage(error: unknown): string {
  if (error instanceof AppError && error.code === "forbidden") return error.message;
  rethrowUnlessNotFound(error);
}

export type CreateEndpointState = {
  error: string | null;
  fieldErrors: Record<string, string>;
  created: { id: string; url: string; secret: string } | null;
};

export async function createWebhookEndpointAction(
  _previous: CreateEndpointState,
  form: FormData,
): Promise<CreateEndpointState> {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/webhooks");
  try {
    const input = ZCreateWebhookEndpoint.parse(endpointFields(form));
    const endpoint = await createWebhookEndpoint({ ...webhookDeps(db, logger), actor }, merchant.id, input);
    revalidatePath("/dashboard/webhooks");
    // The secret goes back to this signed-in browser once; it is stored encrypted.
    return {
      error: null,
      fieldErrors: {},
      created: { id: endpoint.id, url: endpoint.url, secret: endpoint.secret },
    };
  } catch (error) {
    const messages = actionErrorsOf(error);
    if (!messages) throw error;
    return { ...messages, created: null };
  }
}

export type UpdateEndpointState = {
  saved: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
};

export async function updateWebhookEndpointAction(
  _previous: UpdateEndpointState,
  form: FormData,
): Promise<UpdateEndpointState> {
  const id = endpointIdOf(form);
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/webhooks/${id}`);
  try {
    const input = ZUpdateWebhookEndpoint.parse(endpointFields(form));
    await updateWebhookEndpoint({ ...webhookDeps(db, logger), actor }, merchant.id, id, input);
  } catch (error) {
    const messages = actionErrorsOf(error);
    if (!messages) rethrowUnlessNotFound(error);
    return { saved: false, ...messages };
  }
  revalidatePath("/dashboard/webhooks", "layout");
  return { saved: true, error: null, fieldErrors: {} };
}

export async function setWebhookEndpointStatusAction(form: FormData): Promise<void> {
  const id = endpointIdOf(form);
  const status = z.enum(["enabled", "disabled"]).safeParse(form.get("status"));
  if (!status.success) notFound();
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/webhooks/${id}`);
  let notice: string = status.data;
  try {
    await updateWebhookEndpoint({ ...webhookDeps(db, logger), actor }, merchant.id, id, {
      status: status.data,
    });
  } catch (error) {
    notice = refusalNotice(error, "endpoint-limit");
  }
  revalidatePath("/dashboard/webhooks", "layout");
  redirect(`/dashboard/webhooks/${id}?notice=${notice}`);
}

export type RotateSecretState = { secret: string | null; error: string | null };

export async function rotateWebhookSecretAction(
  _previous: RotateSecretState,
  form: FormData,
): Promise<RotateSecretState> {
  const id = endpointIdOf(form);
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/webhooks/${id}`);
  try {
    const rotated = await rotateWebhookSecret({ ...webhookDeps(db, logger), actor }, merchant.id, id);
    return { secret: rotated.secret, error: null };
  } catch (error) {
    return { secret: null, error: forbiddenMessage(error) };
  }
}

export type TestWebhookState = { result: TWebhookTestResult | null; error: string | null };

export async function sendTestWebhookAction(
  _previous: TestWebhookState,
  form: FormData,
): Promise<TestWebhookState> {
  const id = endpointIdOf(form);
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/webhooks/${id}`);
  try {
    const result = await sendTestWebhook({ ...webhookDeps(db, logger), actor }, merchant.id, id);
    return { result, error: null };
  } catch (error) {
    return { result: null, error: forbiddenMessage(error) };
  }
}

export async function deleteWebhookEndpointAction(form: FormData): Promise<void> {
  const id = endpointIdOf(form);
  const { db, actor, merchant } = await requireMerchantSession(`/dashboard/webhooks/${id}`);
  // The form's required checkbox; checked here too, for a form posted without the browser's check.
  if (form.get("confirm") !== "on") redirect(`/dashboard/webhooks/${id}?notice=delete-unconfirmed`);
  try {
    await deleteWebhookEndpoint({ db, actor }, merchant.id, id);
  } catch (error) {
    redirect(`/dashboard/webhooks/${id}?notice=${refusalNotice(error)}`);
  }
  revalidatePath("/dashboard/webhooks", "layout");
  redirect("/dashboard/webhooks?notice=deleted");
}

/** Retries one delivery now (awaited) and returns to the page it was started from, with the outcome. */
export async function retryWebhookDeliveryAction(form: FormData): Promise<void> {
  const id = ZDeliveryId.safeParse(form.get("deliveryId"));
  if (!id.success) notFound();
  const back = safeCallbackPath(form.get("returnTo"));
  const returnTo = new URL(back.startsWith("/dashboard") ? back : "/dashboard/webhooks", "http://dashboard");
  const { db, actor, merchant } = await requireMerchantSession(returnTo.pathname);
  let notice: string;
  try {
    const delivery = await retryWebhookDelivery({ ...webhookDeps(db, logger), actor }, merchant.id, id.data);
    const statusCode = delivery.attempts?.at(-1)?.status_code ?? null;
    notice = statusCode !== null && statusCode >= 200 && statusCode < 300 ? "retried" : "retry-failed";
  } catch (error) {
    notice = refusalNotice(error, "retry-refused");
  }
  revalidatePath(returnTo.pathname);
  returnTo.searchParams.set("notice", notice);
  redirect(`${returnTo.pathname}${returnTo.search}#${id.data}`);
}
