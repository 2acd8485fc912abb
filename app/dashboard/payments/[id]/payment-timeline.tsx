import type { TimelineEntry, TransferEntry } from "@/lib/dashboard/get-payment-detail";
import styles from "../../dashboard.module.css";
import { formatTimestamp } from "../../status-badge";

/** Status changes and the transfers that caused them, in the order they happened. */
export function PaymentTimeline({
  timeline,
  transfers,
}: {
  timeline: readonly TimelineEntry[];
  transfers: readonly TransferEntry[];
}) {
  const entries = [
    ...timeline.map((entry) => ({
      key: entry.id,
      at: entry.at,
      kind: "status" as const,
      title: `${entry.fromStatus ? `${entry.fromStatus} → ` : ""}${entry.toStatus}${entry.exception ? ` (${entry.exception})` : ""}`,
      detail: entry.reason,
    })),
    ...transfers.map((transfer) => ({
      key: `${transfer.txHash}:${transfer.at}`,
      at: transfer.at,
      kind: "transfer" as const,
      title: `${transfer.amount} ${transfer.symbol} received`,
      detail: `transaction ${transfer.txHash}${transfer.status === "reverted" ? " (reverted by a reorg: no longer counts)" : ""}`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at) || (a.kind === "transfer" ? -1 : 1));
  return (
    <ol className={styles.timeline} data-testid="timeline">
      {entries.map((entry) => (
        <li key={entry.key} data-kind={entry.kind}>
          <strong>{entry.title}</strong>{" "}
          <span className="muted">
            {formatTimestamp(entry.at)} · {entry.detail}
          </span>
        </li>
      ))}
    </ol>
  );
}
