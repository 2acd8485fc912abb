import Link from "next/link";
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
  empty: string;
}) {
  if (payouts.length === 0) return <p className="muted">{empty}</p>;
  return (
    <DataTable caption={caption} columns={PAYOUT_COLUMNS}>
      {payouts.map((payout) => (
        <tr key={payout.id} data-testid="payout-row">
          <td>
            <Link href={`/dashboard/payouts/${payout.id}`}>
              <code>{payout.id}</code>
            </Link>
            {payout.payment_id ? <span className="muted"> · refund</span> : null}
          </td>
          <td data-testid="payout-amount">
            {payout.amount} {payout.token.symbol}
            <span className="muted"> · {payout.chain}</span>
          </td>
          <td>
            <PayoutStatusBadge status={payout.status} />
          </td>
          <td>
            <code>{payout.address}</code>
          </td>
          <td>{formatTimestamp(payout.created_at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
