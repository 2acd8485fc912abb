import { z } from "zod";
import { ZFormAmount } from "../money/decimal-input";
import { CURRENCIES } from "../money/fiat";
import type { TCreateFiatPayment } from "../payments/create-fiat-payment";
import { MAX_EXPIRES_IN, MIN_EXPIRES_IN, type TCreatePayment } from "../payments/create-payment";
import { coinOfChoice } from "./quote-settings-form";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => value || undefined);

/** The fields both forms of the "new payment" page share. */
const COMMON_FIELDS = {
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
};

type CommonForm = {
  expires_in_minutes?: number | undefined;
  order_id?: string | undefined;
  description?: string | undefined;
  redirect_url?: string | undefined;
};

/** The shared fields as the API input's (absent when empty). */
function commonInput(form: CommonForm) {
  return {
    ...(form.expires_in_minutes ? { expires_in: form.expires_in_minutes * 60 } : {}),
    ...(form.order_id ? { order_id: form.order_id } : {}),
    ...(form.description ? { description: form.description } : {}),
    ...(form.redirect_url ? { redirect_url: form.redirect_url } : {}),
  };
}

/** The dashboard's "new payment" form fields (strings from FormData) → the createPayment input. */
export const ZNewPaymentForm = z
  .object({
    chain: z.string().min(1, "Choose a chain").max(32),
    token: z.string().min(1, "Choose a token").max(16),
    amount: ZFormAmount.refine((value) => value !== undefined, "Enter an amount."),
    ...COMMON_FIELDS,
  })
  .transform(
    (form): TCreatePayment => ({
      chain: form.chain,
      token: form.token,
      amount: form.amount ?? "",
      ...commonInput(form),
    }),
  );

/**
 * The "price in fiat" variant: `price_amount` and `price_currency`, and optionally some of the
 * merchant's accepted coins (`accepts`, checkbox values "chain:SYMBOL"; none ticked = all of them)
 * → the createFiatPayment input, which the service validates exactly as the API's.
 */
export const ZNewFiatPaymentForm = z
  .object({
    price_amount: z.string().trim().min(1, "Enter the price, for example 20.00.").max(100),
    price_currency: z.enum(CURRENCIES, { error: "Choose one of the currencies offered." }),
    accepts: z.array(z.string().max(64)).max(50).default([]),
    ...COMMON_FIELDS,
  })
  .transform(
    (form): TCreateFiatPayment => ({
      price: { amount: form.price_amount, currency: form.price_currency },
      ...(form.accepts.length > 0 ? { accepts: form.accepts.map(coinOfChoice) } : {}),
      ...commonInput(form),
    }),
  );
