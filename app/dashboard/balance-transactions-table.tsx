import Link from "next/link";
import type { TBalanceTransactionObject } from "@/lib/balances/balance-object";
import { DataTable } from "./data-table";
import { formatTimestamp } from "./status-badge";

const LEDGER_COLUMNS = ["Type", "Amount", "Balance after", "Source", "Description", "Created"] as const;

const TYPE_LABEL: Record<TBalanceTransactionObject["type"], string> = {
  payment_settled: "payment settled",
  payout: "payout",
  payout_fee: "payout fee",
  payout_reversed: "payout reversed",
  refund: "refund",
  adjustment: "adjustment",
};

/** Ledger entries: signed amounts (credits positive) and the balance after each, exact decimals. */
export function BalanceTransactionsTable({
  transactions,
  caption,
}: {
  transactions: TBalanceTransactionObject[];
  caption: string;
}) {
  if (transactions.length === 0) return <p className="muted">No balance transactions.</p>;
  return (
    <DataTable caption={caption} columns={LEDGER_COLUMNS}>
      {transactions.map((entry) => (
        <tr key={entry.id} data-testid="balance-transaction-row" data-type={entry.type}>
          <td data-testid="balance-transaction-type">{TYPE_LABEL[entry.type]}</td>
          <td data-testid="balance-transaction-amount">
            {entry.amount} {entry.token.symbol}
            <span className="muted"> · {entry.chain}</span>
          </td>
          <td>
            {entry.balance_after} {entry.token.symbol}
          </td>
          <td>
            {entry.payment_id ? (
              <Link href={`/dashboard/payments/${entry.payment_id}`}>
                <code>{entry.payment_id}</code>
              </Link>
            ) : null}
            {entry.payout_id ? (
              <Link href={`/dashboard/payouts/${entry.payout_id}`}>
                <code>{entry.payout_id}</code>
              </Link>
            ) : null}
          </td>
          <td>{entry.description ?? <span className="muted">—</span>}</td>
          <td>{formatTimestamp(entry.created_at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
