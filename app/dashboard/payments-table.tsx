import Link from "next/link";
import type { TPaymentObject } from "@/lib/payments/payment-object";
import { formatTimestamp, StatusBadge } from "./status-badge";

export function PaymentsTable({ payments, caption }: { payments: TPaymentObject[]; caption: string }) {
  if (payments.length === 0) return <p className="muted">No payments yet.</p>;
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Payment</th>
            <th scope="col">Amount</th>
            <th scope="col">Status</th>
            <th scope="col">Order</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {payments.map((payment) => (
            <tr key={payment.id} data-testid="payment-row">
              <td>
                <Link href={`/dashboard/payments/${payment.id}`}>
                  <code>{payment.id}</code>
                </Link>
              </td>
              <td>
                {payment.amount} {payment.token.symbol}
                <span className="muted"> · {payment.chain}</span>
              </td>
              <td>
                <StatusBadge status={payment.status} exception={payment.exception} />
              </td>
              <td>{payment.order_id ?? <span className="muted">—</span>}</td>
              <td>{formatTimestamp(payment.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
