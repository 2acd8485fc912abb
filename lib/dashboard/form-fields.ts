// Fields shared by the dashboard's forms (strings from FormData, checked server-side with zod).
import { z } from "zod";
import { addressConfirmationError } from "../validation/address-confirmation";

/** A text field of a form: trimmed; empty = not given. */
export const formText = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);

/**
 * An address typed into a dashboard form (`address`) with its confirmation (`address_confirm`, the
 * last 4 characters, needed when it has no EIP-55 checksum): one plain message on the field at
 * fault, and the service's own schema never sees an unconfirmed address.
 */
export function refineTypedAddress(
  form: { address?: string | undefined; address_confirm?: string | undefined },
  context: z.RefinementCtx,
): void {
  if (!form.address) return;
  const error = addressConfirmationError(form.address, form.address_confirm);
  if (error) context.addIssue({ code: "custom", path: [error.field], message: error.message });
}
