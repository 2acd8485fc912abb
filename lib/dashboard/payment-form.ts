import { z } from "zod";
import { ZFormAmount } from "../money/decimal-input";
import { MAX_EXPIRES_IN, MIN_EXPIRES_IN, type TCreatePayment } from "../payments/create-payment";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => value || undefined);

/** The dashboard's "new payment" form fields (strings from FormData) → the createPayment input. */
export const ZNewPaymentForm = z
  .object({
    chain: z.string().min(1, "Choose a chain").max(32),
    token: z.string().min(1, "Choose a token").max(16),
    amount: ZFormAmount.refine((value) => value !== undefined, "Enter an amount."),
    expires_in_minutes: z.preprocess(
      (value) => (value === "" || value === null ? undefined : value),
      z.coerce
        .number()
        .int("Use whole minutes")
        .min(MIN_EXPIRES_IN / 60, `At least ${MIN_EXPIRES_IN / 60} minute`)
        .max(MAX_EXPIRES_IN / 60, `At most ${MAX_EXPIRES_IN / 60} minutes`)
        .optional(),
    ),
    order_id: optionalText(200),
    description: optionalText(1000),
    redirect_url: optionalText(2048),
  })
  .transform(
    (form): TCreatePayment => ({
      chain: form.chain,
      token: form.token,
      amount: form.amount ?? "",
      ...(form.expires_in_minutes ? { expires_in: form.expires_in_minutes * 60 } : {}),
      ...(form.order_id ? { order_id: form.order_id } : {}),
      ...(form.description ? { description: form.description } : {}),
      ...(form.redirect_url ? { redirect_url: form.redirect_url } : {}),
    }),
  );
