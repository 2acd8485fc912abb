import { ZodError } from "zod";
import { AppError } from "../errors";

export type FormErrors = { error: string; fieldErrors: Record<string, string> };

/**
 * A dashboard form's messages for a validation failure of a service (a ZodError, or an AppError
 * `validation_failed` with field errors): the first message per top-level field. Anything else is
 * not the user's input and yields null, so the caller rethrows it.
 */
export function formErrorsOf(error: unknown): FormErrors | null {
  const fieldErrors: Record<string, string> = {};
  if (error instanceof ZodError) {
    for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { error: "Check the highlighted fields.", fieldErrors };
  }
  if (error instanceof AppError && error.code === "validation_failed") {
    for (const field of error.errors ?? []) fieldErrors[field.path.split(".")[0] ?? "form"] ??= field.message;
    return { error: error.message, fieldErrors };
  }
  return null;
}
