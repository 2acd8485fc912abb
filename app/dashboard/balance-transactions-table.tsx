import Link from "next/link";
import type { ReactNode } from "react";
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
  transfer_accepted: "accepted transfer",
};

/**
 * Ledger entries: signed amounts (credits positive) and the balance after each, exact decimals; a
 * payment credit that cost a fee (a native sweep's gas) says what it is net of.
 */
export function BalanceTransactionsTable({
  transactions,
  caption,
  empty,
}: {
  transactions: TBalanceTransactionObject[];
  caption: string;
  empty?: ReactNode;
}) {
  if (transactions.length === 0) return empty ?? <p className="muted">No balance transactions.</p>;
  return (
    <DataTable caption={caption} columns={LEDGER_COLUMNS}>
      {transactions.map((entry) => (
        <tr key={entry.id} data-testid="balance-transaction-row" data-type={entry.type}>
          <td data-label="Type" data-testid="balance-transaction-type">
            {TYPE_LABEL[entry.type]}
          </td>
          <td data-label="Amount" data-testid="balance-transaction-amount">
            {entry.amount} {entry.token.symbol}
            <span className="muted"> · {entry.chain}</span>
            {entry.fee !== null && entry.fee_base_units !== "0" ? (
              <div className="muted" data-testid="balance-transaction-split">
                net of {entry.gross} {entry.token.symbol} gross − {entry.fee} {entry.token.symbol} fee
              </div>
            ) : null}
          </td>
          <td data-label="Balance after">
            {entry.balance_after} {entry.token.symbol}
          </td>
          <td data-label="Source">
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
          <td data-label="Description">{entry.description ?? <span className="muted">—</span>}</td>
          <td data-label="Created">{formatTimestamp(entry.created_at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
