import Link from "next/link";
import type { ReactNode } from "react";
import type { TPaymentObject } from "@/lib/payments/payment-object";
import { DataTable } from "./data-table";
import { formatTimestamp, StatusBadge } from "./status-badge";

const PAYMENT_COLUMNS = ["Payment", "Amount", "Status", "Order", "Created"] as const;

export function PaymentsTable({
  payments,
  caption,
  empty,
}: {
  payments: TPaymentObject[];
  caption: string;
  /** What an empty list says (default: the real empty state). */
  empty?: ReactNode;
}) {
  if (payments.length === 0) return empty ?? <p className="muted">No payments yet.</p>;
  return (
    <DataTable caption={caption} columns={PAYMENT_COLUMNS}>
      {payments.map((payment) => (
        <tr key={payment.id} data-testid="payment-row">
          <td data-label="Payment">
            <Link href={`/dashboard/payments/${payment.id}`}>
              <code>{payment.id}</code>
            </Link>
          </td>
          <td data-label="Amount">
            <PaymentAmount payment={payment} />
          </td>
          <td data-label="Status">
            <StatusBadge status={payment.status} exception={payment.exception} />
          </td>
          <td data-label="Order">{payment.order_id ?? <span className="muted">—</span>}</td>
          <td data-label="Created">{formatTimestamp(payment.created_at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * A single-coin payment's amount and chain; a fiat-priced payment's price and value received (in its
 * currency) next to the coins received (or, before anything arrived, the first option's amount).
 */
function PaymentAmount({ payment }: { payment: TPaymentObject }) {
  if (!payment.price)
    return (
      <>
        {payment.amount} {payment.token?.symbol}
        <span className="muted"> · {payment.chain}</span>
      </>
    );
  const { currency } = payment.price;
  const coins = payment.received?.length
    ? payment.received.map((coin) => `${coin.amount} ${coin.token.symbol} on ${coin.chain}`).join(" + ")
    : `${payment.options?.length ?? 0} coin options`;
  return (
    <span data-testid="payment-fiat-amount">
      {payment.price.amount} {currency}
      <span className="muted">
        {" "}
        · received {payment.value_received ?? "0"} {currency} · {coins}
      </span>
    </span>
  );
}
