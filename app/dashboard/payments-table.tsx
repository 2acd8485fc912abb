import Link from "next/link";
import type { TPaymentObject } from "@/lib/payments/payment-object";
import { DataTable } from "./data-table";
import { formatTimestamp, StatusBadge } from "./status-badge";

const PAYMENT_COLUMNS = ["Payment", "Amount", "Status", "Order", "Created"] as const;

export function PaymentsTable({ payments, caption }: { payments: TPaymentObject[]; caption: string }) {
  if (payments.length === 0) return <p className="muted">No payments yet.</p>;
  return (
    <DataTable caption={caption} columns={PAYMENT_COLUMNS}>
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
    </DataTable>
  );
}
