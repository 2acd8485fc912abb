// The fiat side of recomputing payments (recompute-payment.ts): a fiat-priced payment is judged on
// the value received in its price currency, and its coin columns name the option paid.
import type { Tx } from "../db/client";
import type { LockedPayment } from "./payment-lifecycle";

export type FiatLockedColumns = { price_amount: string | null; underpayment_tolerance_bps: number | null };
export type FiatTransferColumns = {
  payment_id: string;
  amount: string;
  chain: string;
  token_address: string | null;
  fiat_value: string | null;
};

/**
 * The payment as the lifecycle judges it: for a fiat-priced one the amount due is the price less
 * the merchant's tolerance (rounded up to a whole minor unit), `overpaid` above the price itself.
 */
export function asJudgedPayment(row: LockedPayment & FiatLockedColumns): LockedPayment {
  const { price_amount, underpayment_tolerance_bps, ...locked } = row;
  if (price_amount === null) return locked;
  const price = BigInt(price_amount);
  const bps = BigInt(underpayment_tolerance_bps ?? 0);
  const due = (price * (10_000n - bps) + 9_999n) / 10_000n;
  return { ...locked, amount: (due > 0n ? due : 1n).toString(), overpaid_above: price.toString() };
}

/**
 * Writes what a fiat-priced payment shows beside its status: the value received, and the option paid
 * (the coin of its first credited transfer) in its coin columns with that coin's amount received.
 * Before any transfer the first option stays named and `option_paid` is false.
 */
export async function updateFiatPayments(
  tx: Tx,
  payments: { id: string; value: bigint }[],
  transfers: FiatTransferColumns[],
): Promise<void> {
  if (payments.length === 0) return;
  const rows = payments.map(({ id, value }) => {
    const own = transfers.filter((transfer) => transfer.payment_id === id);
    const first = own[0];
    const received = own
      .filter(
        (t) => first && t.chain === first.chain && (t.token_address ?? "") === (first.token_address ?? ""),
      )
      .reduce((sum, t) => sum + BigInt(t.amount), 0n);
    return { id, value, first, received };
  });
  await tx.$executeRaw`
    UPDATE payments AS p SET value_received = v.value, option_paid = v.paid,
      amount_received = v.received,
      chain = COALESCE(o.chain, p.chain), chain_id = COALESCE(o.chain_id, p.chain_id),
      token_symbol = COALESCE(o.token_symbol, p.token_symbol),
      token_address = CASE WHEN o.payment_id IS NULL THEN p.token_address ELSE o.token_address END,
      token_decimals = COALESCE(o.token_decimals, p.token_decimals), amount = COALESCE(o.amount, p.amount)
    FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.value.toString())}::numeric[],
      ${rows.map((r) => r.first !== undefined)}::boolean[], ${rows.map((r) => r.received.toString())}::numeric[],
      ${rows.map((r) => r.first?.chain ?? null)}::text[], ${rows.map((r) => r.first?.token_address ?? null)}::text[])
      AS v(id, value, paid, received, chain, token_address)
    LEFT JOIN payment_options AS o ON o.payment_id = v.id AND o.chain = v.chain
      AND lower(COALESCE(o.token_address, '')) = lower(COALESCE(v.token_address, ''))
    WHERE p.id = v.id`;
}
