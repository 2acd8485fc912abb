import { notFound } from "next/navigation";
import { ZodError } from "zod";
import { AppError } from "../errors";
import { plainFieldMessage } from "./plain-messages";

export type FormErrors = { error: string; fieldErrors: Record<string, string> };

/**
 * A dashboard form's messages for a validation failure of a service (a ZodError, or an AppError
 * `validation_failed` with field errors): the first message per top-level field, in plain words. Anything else is
 * not the user's input and yields null, so the caller rethrows it.
 */
export function formErrorsOf(error: unknown): FormErrors | null {
  if (error instanceof ZodError)
    return withFieldErrors(
      error.issues.map((issue) => ({ path: String(issue.path[0] ?? "form"), message: issue.message })),
      "Check the highlighted fields.",
    );
  // The member's role lacks the permission (lib/access): the message names it.
  if (error instanceof AppError && error.code === "forbidden")
    return { error: error.message, fieldErrors: {} };
  if (error instanceof AppError && error.code === "validation_failed")
    return withFieldErrors(
      (error.errors ?? []).map((field) => ({
        path: field.path.split(".")[0] ?? "form",
        message: field.message,
      })),
      error.message,
    );
  return null;
}

/**
 * One plain message per field (the first; lib/dashboard/plain-messages.ts), and the form-level
 * line only says to look at them: the same message is never shown twice.
 */
function withFieldErrors(issues: readonly { path: string; message: string }[], fallback: string): FormErrors {
  const fieldErrors: Record<string, string> = {};
  for (const issue of issues) fieldErrors[issue.path] ??= plainFieldMessage(issue.message);
  const fields = Object.keys(fieldErrors).filter((path) => path !== "form");
  return {
    error:
      fields.length > 0 ? "Check the highlighted fields." : (fieldErrors.form ?? plainFieldMessage(fallback)),
    fieldErrors,
  };
}

/**
 * formErrorsOf, plus a service's refusal of the request in the current state (an AppError
 * `invalid_state`, e.g. a payout on a chain not in balance mode): its message is written for the
 * merchant and shown as the form's error. Anything else yields null.
 */
export function actionErrorsOf(error: unknown): FormErrors | null {
  if (error instanceof AppError && error.code === "invalid_state")
    return { error: error.message, fieldErrors: {} };
  return formErrorsOf(error);
}

/**
 * The `?notice=` of an action that redirects back to its page when a service refused it: `forbidden`
 * when the member's role lacks the permission, `refused` (the action's own notice) when the object's
 * state does not allow it. `not_found` is the not-found page; anything else is rethrown.
 */
export function refusalNotice(error: unknown, refused?: string): string {
  if (error instanceof AppError && error.code === "not_found") notFound();
  if (error instanceof AppError && error.code === "forbidden") return "forbidden";
  if (refused && error instanceof AppError && error.code === "invalid_state") return refused;
  throw error;
}

/**
 * The text fields a form was submitted with (React resets a form after its action: a form that
 * failed validation renders these as its default values so nothing typed is lost).
 */
export function submittedValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries())
    if (typeof value === "string" && !key.startsWith("$")) values[key] = value;
  return values;
}
