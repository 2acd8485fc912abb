// The public checkout projection of a payment: only what a payer needs. Client-safe (zod only): the
// checkout page's polling code parses the status endpoint's answer with the same schema.
import { z } from "zod";

const ZCheckoutChain = z.strictObject({
  name: z.string(),
  chain_id: z.number().int(),
  native_currency: z.strictObject({ symbol: z.string(), decimals: z.number().int() }),
});
const ZCheckoutToken = z.strictObject({
  symbol: z.string(),
  address: z.string().nullable(),
  decimals: z.number().int(),
});

/** A coin the payer may pay a fiat-priced payment with: what is still due in it at its quote. */
export const ZCheckoutOption = z.strictObject({
  chain: ZCheckoutChain,
  token: ZCheckoutToken,
  /** Price of one whole token in the payment's currency. */
  rate: z.string(),
  /** Pegged to the price currency (priced at 1 without a rate source): the checkout's default. */
  stablecoin: z.boolean(),
  /** The remaining value in this coin (rounded up), and its EIP-681 URI (null unless funds are due). */
  amount_remaining: z.string(),
  amount_remaining_base_units: z.string(),
  remaining_payment_uri: z.string().nullable(),
  quote_expires_at: z.string(),
});
export type TCheckoutOption = z.infer<typeof ZCheckoutOption>;

export const ZCheckoutObject = z.strictObject({
  id: z.string(),
  object: z.literal("checkout"),
  status: z.enum(["pending", "detected", "confirmed", "settled", "expired", "canceled"]),
  exception: z.enum(["overpaid", "underpaid", "paid_late", "reorged_after_settlement"]).nullable(),
  /** The business the payer pays: its display name and brand colour (#rrggbb or null). */
  merchant: z.strictObject({ name: z.string(), brand_color: z.string().nullable() }),
  chain: ZCheckoutChain,
  token: ZCheckoutToken,
  amount: z.string(),
  amount_base_units: z.string(),
  amount_received: z.string(),
  amount_received_base_units: z.string(),
  /** What is still to pay (0 once the amount is reached). */
  amount_remaining: z.string(),
  amount_remaining_base_units: z.string(),
  address: z.string(),
  /** EIP-681 URI of the full amount. */
  payment_uri: z.string(),
  /** EIP-681 URI of the remaining amount (the full amount while nothing has arrived); null unless a pending payment still needs funds. */
  remaining_payment_uri: z.string().nullable(),
  required_confirmations: z.number().int(),
  confirmations: z.number().int(),
  expires_at: z.string(),
  /** Shown to the payer, as on Stripe-class checkouts (the merchant writes it for them). */
  description: z.string().nullable(),
  redirect_url: z.string().nullable(),
  /**
   * The payer's receipt, once the payment is paid (confirmed or settled; null before): when, the
   * merchant's order id, and each transfer that paid it with a link to the chain's explorer (null
   * when chains.yaml names none). Nothing of it is shown before the payer has paid.
   */
  receipt: z
    .strictObject({
      paid_at: z.string().nullable(),
      order_id: z.string().nullable(),
      transactions: z.array(
        z.strictObject({ tx_hash: z.string(), amount: z.string(), explorer_url: z.string().nullable() }),
      ),
    })
    .nullable(),
  /** Server clock when this was built, so the countdown does not depend on the payer's clock. */
  server_time: z.string(),
  /**
   * Priced in fiat (absent otherwise): the price, the value received and still due, and the coins
   * the payer may choose from (one address for all of them); `requoted` when this very load gave
   * the options new quotes because the old ones had expired.
   */
  fiat: z
    .strictObject({
      price: z.strictObject({ amount: z.string(), currency: z.string() }),
      value_received: z.string(),
      value_remaining: z.string(),
      options: z.array(ZCheckoutOption),
      requoted: z.boolean(),
    })
    .optional(),
});
export type TCheckoutObject = z.infer<typeof ZCheckoutObject>;
