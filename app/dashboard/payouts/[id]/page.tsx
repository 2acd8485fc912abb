import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { listBalanceTransactions } from "@/lib/balances/list-balance-transactions";
import { configuredChains } from "@/lib/config/chains";
import { explorerUrlOf, networkLabel } from "@/lib/dashboard/chain-options";
import { payoutTimeline } from "@/lib/dashboard/payout-timeline";
import { getPayoutOrThrow } from "@/lib/payouts/get-payout";
import { ConfirmSubmit } from "../../../_components/confirm-submit";
import { BalanceTransactionsTable } from "../../balance-transactions-table";
import { Copyable } from "../../copyable";
import styles from "../../dashboard.module.css";
import { orNotFound } from "../../or-not-found";
import { type Notices, PageNotice } from "../../page-notice";
import { formatTimestamp, PayoutStatusBadge } from "../../status-badge";
import { TxLink } from "../../tx-link";
import { approvePayoutAction, rejectPayoutAction } from "../actions";

export const metadata = { title: "Payout" };

const NOTICES: Notices = {
  created: { text: "Payout created.", tone: "ok" },
  "refund-created": { text: "Refund created: it is paid out from your balance like any payout.", tone: "ok" },
  approved: { text: "Payout approved: it is sent on chain shortly.", tone: "ok" },
  rejected: { text: "Payout rejected: its amount is back in your balance.", tone: "ok" },
  "review-refused": {
    text: "This payout is no longer pending approval: it was approved or rejected meanwhile.",
    tone: "bad",
  },
  "review-forbidden": { text: "Only the account owner can approve or reject payouts.", tone: "bad" },
};

const STEP_MARK = { done: "✓", current: "…", upcoming: "○", failed: "✕" } as const;

export default async function PayoutDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { notice } = await searchParams;
  const { db, actor, merchant } = await requireMerchantSession(
    `/dashboard/payouts/${encodeURIComponent(id)}`,
  );
  const chains = configuredChains();
  // Approval is the owner's (payouts:approve); the service checks it again.
  const canApprove = hasPermission(actor, "payouts:approve");
  const payout = await orNotFound(getPayoutOrThrow({ db, actor, chains }, merchant.id, id));
  const ledger = await listBalanceTransactions({ db, actor, chains }, merchant.id, {
    limit: 100,
    payout_id: payout.id,
  });
  const nativeSymbol = chains.find((chain) => chain.name === payout.chain)?.nativeCurrency.symbol ?? "";
  const pending = payout.status === "pending_approval";
  return (
    <>
      <p>
        <Link href="/dashboard/payouts">← Payouts</Link>
      </p>
      <div className={styles.pageHeader}>
        <h1>
          {payout.payment_id ? "Refund" : "Payout"} of {payout.amount} {payout.token.symbol}{" "}
          <PayoutStatusBadge status={payout.status} />
        </h1>
        {pending && canApprove ? (
          <div className={styles.actionRow}>
            <form action={approvePayoutAction}>
              <input type="hidden" name="payoutId" value={payout.id} />
              <ConfirmSubmit
                label="Approve payout"
                title={`Send ${payout.amount} ${payout.token.symbol} now?`}
                confirmLabel={`Approve and send ${payout.amount} ${payout.token.symbol}`}
                rows={[
                  {
                    label: "Amount",
                    value: `${payout.amount} ${payout.token.symbol}`,
                    testId: "confirm-amount",
                  },
                  { label: "Recipient", value: payout.address, testId: "confirm-recipient" },
                  { label: "Network", value: networkLabel(chains, payout.chain) },
                  {
                    label: "Network fee",
                    value: `paid in ${nativeSymbol} and debited from your balance; exact once the transaction is mined`,
                  },
                  { label: "Description", value: payout.description ?? "—" },
                ]}
                consequence="The payout is signed and sent on chain right after; a transaction on chain cannot be called back."
              />
            </form>
            <form action={rejectPayoutAction}>
              <input type="hidden" name="payoutId" value={payout.id} />
              <button type="submit" className="button button-danger">
                Reject payout
              </button>
            </form>
          </div>
        ) : null}
      </div>
      {pending && !canApprove ? (
        <p className="muted">This payout waits for the account owner&apos;s approval.</p>
      ) : null}
      <PageNotice notices={NOTICES} notice={notice} />

      <section className="card" aria-labelledby="payout-timeline-heading">
        <h2 id="payout-timeline-heading">Status</h2>
        <ol className={styles.timeline} data-testid="payout-timeline">
          {payoutTimeline(payout).map((step) => (
            <li key={step.label} data-state={step.state}>
              <span aria-hidden="true">{STEP_MARK[step.state]}</span> <strong>{step.label}</strong>{" "}
              <span className="muted">
                {step.at ? formatTimestamp(step.at) : step.state === "upcoming" ? "not yet" : ""}
                {step.detail ? ` · ${step.detail}` : ""}
              </span>
            </li>
          ))}
        </ol>
      </section>

      <section className="card" aria-labelledby="payout-details-heading">
        <h2 id="payout-details-heading">Details</h2>
        <dl className={styles.detailList}>
          <dt>Payout id</dt>
          <dd>
            <Copyable value={payout.id} label="payout id" testId="payout-id" />
          </dd>
          <dt>Amount</dt>
          <dd data-testid="payout-amount">
            {payout.amount} {payout.token.symbol} ({payout.amount_base_units} base units)
          </dd>
          <dt>Chain</dt>
          <dd>{payout.chain}</dd>
          <dt>To</dt>
          <dd>
            <Copyable value={payout.address} label="recipient address" testId="payout-to" />
          </dd>
          <dt>From (your hot wallet)</dt>
          <dd>
            {payout.from_address ? (
              <Copyable value={payout.from_address} label="hot wallet address" />
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
          <dt>Transaction</dt>
          <dd>
            <TxLink
              hash={payout.tx_hash}
              explorerUrl={explorerUrlOf(chains, payout.chain)}
              testId="payout-tx"
            />
          </dd>
          <dt>Network fee</dt>
          <dd data-testid="payout-fee">
            {payout.fee} {nativeSymbol}
          </dd>
          {payout.payment_id ? (
            <>
              <dt>Refund of</dt>
              <dd>
                <Link href={`/dashboard/payments/${payout.payment_id}`}>
                  <code>{payout.payment_id}</code>
                </Link>
              </dd>
            </>
          ) : null}
          <dt>Description</dt>
          <dd>{payout.description ?? "—"}</dd>
          {payout.last_error ? (
            <>
              <dt>Last error</dt>
              <dd className="form-error">{payout.last_error}</dd>
            </>
          ) : null}
        </dl>
      </section>

      <section className="card" aria-labelledby="payout-ledger-heading">
        <h2 id="payout-ledger-heading">Balance transactions</h2>
        <BalanceTransactionsTable transactions={ledger.data} caption="Balance transactions of this payout" />
      </section>
    </>
  );
}
