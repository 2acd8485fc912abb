import Link from "next/link";
import type { ReactNode } from "react";
import type { TPayoutObject } from "@/lib/payouts/payout-object";
import { DataTable } from "./data-table";
import { formatTimestamp, PayoutStatusBadge } from "./status-badge";

const PAYOUT_COLUMNS = ["Payout", "Amount", "Status", "To", "Created"] as const;

export function PayoutsTable({
  payouts,
  caption,
  empty,
}: {
  payouts: TPayoutObject[];
  caption: string;
  empty: ReactNode;
}) {
  if (payouts.length === 0) return typeof empty === "string" ? <p className="muted">{empty}</p> : empty;
  return (
    <DataTable caption={caption} columns={PAYOUT_COLUMNS}>
      {payouts.map((payout) => (
        <tr key={payout.id} data-testid="payout-row">
          <td data-label="Payout">
            <Link href={`/dashboard/payouts/${payout.id}`}>
              <code>{payout.id}</code>
            </Link>
            {payout.payment_id ? <span className="muted"> · refund</span> : null}
          </td>
          <td data-label="Amount" data-testid="payout-amount">
            {payout.amount} {payout.token.symbol}
            <span className="muted"> · {payout.chain}</span>
          </td>
          <td data-label="Status">
            <PayoutStatusBadge status={payout.status} />
          </td>
          <td data-label="To">
            <code>{payout.address}</code>
          </td>
          <td data-label="Created">{formatTimestamp(payout.created_at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
