import { z } from "zod";
import { ZFormAmount } from "../money/decimal-input";
import { ZCreatePayout } from "../payouts/create-payout";
import { type TSetPayoutLimits, ZSetPayoutLimits } from "../payouts/payout-limits";
import { ZRefundPayment } from "../payouts/refund-payment";
import { formText, refineTypedAddress } from "./form-fields";

/**
 * The dashboard's "new payout" form (strings from FormData) → the createPayout input. An address
 * without a checksum is taken only with its last 4 characters typed again (`address_confirm`).
 */
export const ZNewPayoutForm = z
  .object({
    chain: formText,
    token: formText,
    amount: ZFormAmount,
    address: formText,
    address_confirm: formText,
    description: formText,
  })
  .superRefine(refineTypedAddress)
  .transform(
    (form): z.input<typeof ZCreatePayout> => ({
      chain: form.chain ?? "",
      token: form.token ?? null,
      amount: form.amount ?? "",
      address: form.address ?? "",
      description: form.description ?? null,
    }),
  )
  .pipe(ZCreatePayout);

/** The refund form on a payment's page; no amount = everything left to refund. */
export const ZRefundForm = z
  .object({
    address: formText,
    address_confirm: formText,
    amount: ZFormAmount,
    description: formText,
    chain: formText,
    token: formText,
  })
  .superRefine(refineTypedAddress)
  .transform(
    (form): z.input<typeof ZRefundPayment> => ({
      address: form.address ?? "",
      ...(form.chain ? { chain: form.chain } : {}),
      ...(form.token ? { token: form.token } : {}),
      ...(form.amount ? { amount: form.amount } : {}),
      ...(form.description ? { description: form.description } : {}),
    }),
  )
  .pipe(ZRefundPayment);

/** The payout limits form of one chain and token; an empty field = no limit. */
export const ZPayoutLimitsForm = z
  .object({
    chain: formText,
    token: formText,
    max_per_payout: ZFormAmount,
    max_per_day: ZFormAmount,
    auto_approve_below: ZFormAmount,
  })
  .transform(
    (form): TSetPayoutLimits => ({
      chain: form.chain ?? "",
      token: form.token ?? null,
      max_per_payout: form.max_per_payout ?? null,
      max_per_day: form.max_per_day ?? null,
      auto_approve_below: form.auto_approve_below ?? null,
    }),
  )
  .pipe(ZSetPayoutLimits);
