import type { PaymentStatus } from "@/lib/dashboard/get-dashboard-overview";
import type { TPayoutObject } from "@/lib/payouts/payout-object";

const TONE: Record<PaymentStatus, string> = {
  pending: "badge-warn",
  detected: "badge-info",
  confirmed: "badge-ok",
  settled: "badge-ok",
  expired: "badge-muted",
  canceled: "badge-muted",
};

export function StatusBadge({ status, exception }: { status: PaymentStatus; exception?: string | null }) {
  return (
    <span className={`badge ${TONE[status]}`} data-testid="payment-status">
      {status}
      {exception ? ` · ${exception.replace("_", " ")}` : ""}
    </span>
  );
}

const PAYOUT_TONE: Record<TPayoutObject["status"], string> = {
  pending_approval: "badge-warn",
  approved: "badge-info",
  sent: "badge-info",
  confirmed: "badge-ok",
  rejected: "badge-muted",
  failed: "badge-bad",
};

export function PayoutStatusBadge({ status }: { status: TPayoutObject["status"] }) {
  return (
    <span className={`badge ${PAYOUT_TONE[status]}`} data-testid="payout-status">
      {status.replace("_", " ")}
    </span>
  );
}

export function formatTimestamp(iso: string | null): string {
  if (!iso) return "—";
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
