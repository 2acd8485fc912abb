// How much of a payment has arrived, for the dashboard's badge ("15 of 40 USDC paid") and its
// "remaining" line. Exact: base units as bigint, shown with formatAmount.
import { formatAmount } from "../money/amounts";

export type PaymentProgress = {
  /** `partial`: something but not all arrived; `over`: more than asked; null: nothing or exactly. */
  kind: "partial" | "over" | null;
  /** "15 of 40 USDC paid", or null when there is nothing to say. */
  badge: string | null;
  /** What is still to pay (token units); "0" once the amount is reached. */
  remaining: string;
  /** What arrived beyond the amount (token units); "0" unless overpaid. */
  excess: string;
};

export function paymentProgress(payment: {
  amount: string;
  amount_base_units: string;
  amount_received: string;
  amount_received_base_units: string;
  token: { symbol: string; decimals: number };
}): PaymentProgress {
  const amount = BigInt(payment.amount_base_units);
  const received = BigInt(payment.amount_received_base_units);
  const { symbol, decimals } = payment.token;
  const remaining = formatAmount(amount > received ? amount - received : 0n, decimals);
  const excess = formatAmount(received > amount ? received - amount : 0n, decimals);
  const of = `${payment.amount_received} of ${payment.amount} ${symbol} paid`;
  if (received > 0n && received < amount) return { kind: "partial", badge: of, remaining, excess };
  if (received > amount)
    return { kind: "over", badge: `${of} (${excess} ${symbol} over)`, remaining, excess };
  return { kind: null, badge: null, remaining, excess };
}
