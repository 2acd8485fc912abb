import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { qrCodeSvg } from "@/lib/checkout/qr-code-svg";
import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { explorerUrlOf, networkLabel } from "@/lib/dashboard/chain-options";
import { getPaymentDetailOrThrow } from "@/lib/dashboard/get-payment-detail";
import { getPaymentRefunds } from "@/lib/dashboard/get-payment-refunds";
import { paymentProgress } from "@/lib/dashboard/payment-progress";
import { withDisplayCoin } from "@/lib/payments/payment-object";
import { ConfirmSubmit } from "../../../_components/confirm-submit";
import { CopyButton } from "../../../_components/copy-button";
import { Copyable } from "../../copyable";
import styles from "../../dashboard.module.css";
import { orNotFound } from "../../or-not-found";
import { type Notices, PageNotice } from "../../page-notice";
import { PayoutsTable } from "../../payouts-table";
import { formatTimestamp, StatusBadge } from "../../status-badge";
import { TxLink } from "../../tx-link";
import { DeliveryLog, DeliveryNotice } from "../../webhooks/delivery-log";
import { cancelPaymentAction, extendPaymentExpiryAction, resolvePaymentAction } from "../actions";
import { CoinSweeps } from "./coin-sweeps";
import { FiatSummary } from "./fiat-summary";
import { PaymentTimeline } from "./payment-timeline";
import { RefundForm } from "./refund-form";
import { UnattributedTransfers } from "./unattributed-transfers";

export const metadata = { title: "Payment" };

const NOTICES: Notices = {
  canceled: { text: "Payment canceled.", tone: "ok" },
  "cancel-refused": {
    text: "This payment can no longer be canceled (it has received funds or is final).",
    tone: "bad",
  },
  resolved: { text: "Late payment accepted: the payment is confirmed.", tone: "ok" },
  "accepted-underpaid": {
    text: "Partial payment accepted as paid: the payment is confirmed for what was received.",
    tone: "ok",
  },
  "transfer-accepted": {
    text: "Transfer kept: its coins are swept to your settlement address once it is confirmed.",
    tone: "ok",
  },
  "transfer-refunded": {
    text: "Transfer refunded: its coins are sent back once it is confirmed.",
    tone: "ok",
  },
  extended: { text: "Expiry extended: the checkout accepts payment until the new time.", tone: "ok" },
  "extend-refused": {
    text: "This payment's expiry can no longer be extended: it is no longer pending.",
    tone: "bad",
  },
  "extend-too-long": { text: "A payment can be extended to at most 7 days from now.", tone: "bad" },
  "resolve-refused": {
    text: "This payment cannot be accepted now: only an expired payment paid late or partly, with its transfers confirmed, can be accepted.",
    tone: "bad",
  },
};

const SWEEP_TONE: Record<string, string> = {
  confirmed: "badge-ok",
  failed: "badge-bad",
};

export default async function PaymentDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { created, notice } = await searchParams;
  const { db, actor, merchant } = await requireMerchantSession(
    `/dashboard/payments/${encodeURIComponent(id)}`,
  );
  const chains = configuredChains();
  const detail = await orNotFound(
    getPaymentDetailOrThrow({ db, actor }, merchant.id, id, publicUrl(), chains),
  );
  const { timeline, sweep, deliveries } = detail;
  const payment = withDisplayCoin(detail.payment);
  // Buttons only for a member whose role may use them (the services check it again).
  const canWrite = hasPermission(actor, "payments:write");
  const cancelable = detail.cancelable && canWrite;
  const resolvable = detail.resolvable && canWrite;
  const extendable = payment.status === "pending" && canWrite;
  const [qr, refunds] = await Promise.all([
    qrCodeSvg(payment.payment_uri),
    getPaymentRefunds({ db, actor, chains }, merchant.id, payment),
  ]);
  const explorerUrl = explorerUrlOf(chains, payment.chain);
  const progress = paymentProgress(payment);
  const txLink = (hash: string | null, testId: string) => (
    <TxLink hash={hash} explorerUrl={explorerUrl} testId={testId} />
  );
  return (
    <>
      <p>
        <Link href="/dashboard/payments">← Payments</Link>
      </p>
      <div className={styles.pageHeader}>
        <h1>
          {payment.amount} {payment.token.symbol}{" "}
          <StatusBadge status={payment.status} exception={payment.exception} />{" "}
          {progress.badge ? (
            <span className="badge badge-progress" data-testid="payment-progress">
              {progress.badge}
            </span>
          ) : null}
        </h1>
        {created === "1" ? (
          <CopyButton
            value={payment.checkout_url}
            label="Copy checkout link"
            text="Copy checkout link"
            className="button"
          />
        ) : null}
        {cancelable ? (
          <form action={cancelPaymentAction}>
            <input type="hidden" name="paymentId" value={payment.id} />
            <ConfirmSubmit
              label="Cancel payment"
              className={created === "1" ? "button button-secondary" : "button button-danger"}
              title="Cancel this payment?"
              confirmLabel="Yes, cancel the payment"
              danger
              rows={[
                {
                  label: "Amount",
                  value: `${payment.amount} ${payment.token.symbol}`,
                  testId: "confirm-amount",
                },
                { label: "Order id", value: payment.order_id ?? "—" },
                { label: "Network", value: networkLabel(chains, payment.chain) },
                { label: "Deposit address", value: payment.address },
              ]}
              consequence="The checkout link stops accepting payment and your customer sees the payment as canceled. This cannot be undone."
            />
          </form>
        ) : null}
        {extendable ? (
          <form action={extendPaymentExpiryAction}>
            <input type="hidden" name="paymentId" value={payment.id} />
            <span className={styles.inlineForm}>
              <label htmlFor="extend-minutes">Extend by</label>
              <select id="extend-minutes" name="minutes" defaultValue="60">
                <option value="15">15 minutes</option>
                <option value="60">1 hour</option>
                <option value="1440">1 day</option>
              </select>
            </span>
            <ConfirmSubmit
              label="Extend expiry"
              className="button button-secondary"
              title="Give the customer more time?"
              confirmLabel="Extend expiry"
              rows={[
                { label: "Expires now", value: formatTimestamp(payment.expires_at) },
                {
                  label: "Received",
                  value: `${payment.amount_received} of ${payment.amount} ${payment.token.symbol}`,
                },
              ]}
              consequence="The checkout link keeps accepting payment until the new expiry; a payment arriving before it counts as on time."
            />
          </form>
        ) : null}
        {resolvable && payment.exception === "paid_late" ? (
          <form action={resolvePaymentAction}>
            <input type="hidden" name="paymentId" value={payment.id} />
            <button type="submit" className="button" aria-describedby="exception-explanation">
              Accept late payment
            </button>
          </form>
        ) : null}
        {resolvable && payment.exception === "underpaid" ? (
          <form action={resolvePaymentAction}>
            <input type="hidden" name="paymentId" value={payment.id} />
            <ConfirmSubmit
              label="Accept as paid"
              className="button"
              title="Accept the partial payment as paid?"
              confirmLabel="Accept as paid"
              rows={[
                {
                  label: "Received",
                  value: `${payment.amount_received} of ${payment.amount} ${payment.token.symbol}`,
                  testId: "accept-received",
                },
                { label: "Order id", value: payment.order_id ?? "—" },
                { label: "Network", value: networkLabel(chains, payment.chain) },
              ]}
              consequence={`The payment becomes confirmed for the ${payment.amount_received} ${payment.token.symbol} received and is settled like any confirmed payment; your customer owes nothing more through this link.`}
            />
          </form>
        ) : null}
      </div>
      {created === "1" ? (
        <p className={styles.noticeOk} role="status">
          Payment created. Share the checkout link with your customer.
        </p>
      ) : null}
      <PageNotice notices={NOTICES} notice={notice} />
      <DeliveryNotice notice={notice} />
      {payment.exception ? (
        <section className="card" aria-labelledby="exception-heading" data-testid="payment-exception">
          <h2 id="exception-heading">Exception: {payment.exception.replace("_", " ")}</h2>
          <p id="exception-explanation">{exceptionExplanation(payment, resolvable)}</p>
        </section>
      ) : null}

      <FiatSummary payment={payment} />
      <UnattributedTransfers
        payment={payment}
        chains={chains}
        canWrite={canWrite}
        canRefund={hasPermission(actor, "refunds:write")}
      />
      <section className={`card ${styles.checkoutShare}`} aria-labelledby="checkout-heading">
        <div>
          <h2 id="checkout-heading">Checkout link</h2>
          <p>
            <Copyable value={payment.checkout_url} label="checkout link">
              <a href={payment.checkout_url} data-testid="checkout-link">
                {payment.checkout_url}
              </a>
            </Copyable>
          </p>
          <p className="muted">Anyone with this link can see the payment page; it shows no internal data.</p>
        </div>
        {/* biome-ignore lint/performance/noImgElement: an inline data: SVG; next/image has nothing to optimise */}
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr)}`}
          alt={`QR code to pay ${payment.amount} ${payment.token.symbol}`}
          width={160}
          height={160}
          data-testid="payment-qr"
        />
      </section>

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl className={styles.detailList}>
          <dt>Payment id</dt>
          <dd>
            <Copyable value={payment.id} label="payment id" testId="payment-id" />
          </dd>
          <dt>Amount</dt>
          <dd>
            {payment.amount} {payment.token.symbol} ({payment.amount_base_units} base units)
          </dd>
          <dt>Received</dt>
          <dd data-testid="amount-received">
            {payment.amount_received} {payment.token.symbol}
          </dd>
          <dt>Remaining</dt>
          <dd data-testid="amount-remaining">
            {progress.remaining} {payment.token.symbol}
            {progress.kind === "over"
              ? ` (received ${progress.excess} ${payment.token.symbol} more than asked)`
              : ""}
          </dd>
          <dt>Chain</dt>
          <dd>
            {payment.chain} ({payment.chain_id})
          </dd>
          <dt>Deposit address</dt>
          <dd>
            <Copyable value={payment.address} label="deposit address" />
          </dd>
          <dt>Confirmations</dt>
          <dd>
            {payment.confirmations} of {payment.required_confirmations}
          </dd>
          <dt>Order id</dt>
          <dd>{payment.order_id ? <Copyable value={payment.order_id} label="order id" /> : "—"}</dd>
          <dt>Description</dt>
          <dd>{payment.description ?? "—"}</dd>
          <dt>Redirect URL</dt>
          <dd>{payment.redirect_url ?? "—"}</dd>
          <dt>Created</dt>
          <dd>{formatTimestamp(payment.created_at)}</dd>
          <dt>Expires</dt>
          <dd data-testid="payment-expires">{formatTimestamp(payment.expires_at)}</dd>
          <dt>Metadata</dt>
          <dd>
            <code>{JSON.stringify(payment.metadata)}</code>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <PaymentTimeline timeline={timeline} transfers={detail.transfers} />
      </section>

      <section className="card" aria-labelledby="transfers-heading">
        <h2 id="transfers-heading">Transfers</h2>
        {payment.transfers.length === 0 ? (
          <p className="muted">No transfers received yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Transaction</th>
                  <th scope="col">From</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Block</th>
                  <th scope="col">Confirmations</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {payment.transfers.map((transfer) => (
                  <tr key={`${transfer.tx_hash}:${transfer.log_index}`}>
                    <td>{txLink(transfer.tx_hash, "transfer-tx")}</td>
                    <td>
                      <Copyable value={transfer.from} label={`sender address ${transfer.from}`} />
                    </td>
                    <td>
                      {transfer.amount} {(transfer.token ?? payment.token).symbol}
                    </td>
                    <td>{transfer.block_number}</td>
                    <td>{transfer.confirmations}</td>
                    <td>{transfer.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="sweep-heading" data-testid="sweep">
        <h2 id="sweep-heading">Settlement</h2>
        {sweep ? (
          <dl className={styles.detailList}>
            <dt>Sweep</dt>
            <dd>
              <code>{sweep.id}</code>{" "}
              <span
                className={`badge ${SWEEP_TONE[sweep.status] ?? "badge-warn"}`}
                data-testid="sweep-status"
              >
                {sweep.status.replace("_", " ")}
              </span>
            </dd>
            <dt>Amount swept</dt>
            <dd data-testid="sweep-amount">
              {sweep.amount} {sweep.token.symbol}
            </dd>
            <dt>To ({sweep.mode})</dt>
            <dd>
              <Copyable value={sweep.to} label="sweep destination" testId="sweep-to" />
            </dd>
            <dt>From</dt>
            <dd>
              <code>{sweep.from}</code>
            </dd>
            {sweep.gas_fund_amount !== null || sweep.gas_fund_tx_hash ? (
              <>
                <dt>Gas top-up</dt>
                <dd>
                  {sweep.gas_fund_amount ?? "—"} {sweep.native_symbol} ·{" "}
                  {txLink(sweep.gas_fund_tx_hash, "sweep-gas-tx")}
                </dd>
              </>
            ) : null}
            <dt>Transaction</dt>
            <dd>{txLink(sweep.tx_hash, "sweep-tx")}</dd>
            <dt>Network fee</dt>
            <dd data-testid="sweep-fee">
              {sweep.fee} {sweep.native_symbol}
            </dd>
            <dt>Confirmed</dt>
            <dd>{formatTimestamp(sweep.confirmed_at)}</dd>
            {sweep.last_error ? (
              <>
                <dt>Last error</dt>
                <dd className="form-error">
                  {sweep.last_error} (attempt {sweep.attempts})
                </dd>
              </>
            ) : null}
          </dl>
        ) : (
          <p className="muted">
            {payment.status === "confirmed" ? (
              <>
                Not swept yet: set a treasury address for this chain in{" "}
                <Link href="/dashboard/settings">Settings</Link> to have it swept.
              </>
            ) : (
              "Funds are swept to your treasury once the payment is confirmed."
            )}
          </p>
        )}
        <CoinSweeps sweeps={detail.sweeps} chains={chains} />
      </section>

      <section className="card" aria-labelledby="refunds-heading" data-testid="refunds">
        <h2 id="refunds-heading">Refunds</h2>
        <PayoutsTable payouts={refunds.refunds} caption="Refunds of this payment" empty="No refunds." />
        {refunds.refusal ? (
          <p className="muted" data-testid="refund-unavailable" data-reason={refunds.refusal.reason}>
            {refunds.refusal.message}
            {refunds.refusal.reason === "treasury_mode" ? (
              <>
                {" "}
                <Link href="/dashboard/settings">Settlement settings</Link>
              </>
            ) : null}
          </p>
        ) : !hasPermission(actor, "refunds:write") ? (
          <p className="muted" data-testid="refund-not-allowed">
            Your role cannot refund payments.
          </p>
        ) : (
          <RefundForm
            paymentId={payment.id}
            coins={refunds.coins.map((coin) => ({ ...coin, network: networkLabel(chains, coin.chain) }))}
          />
        )}
      </section>

      <section className="card" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Webhook deliveries</h2>
        <DeliveryLog
          deliveries={deliveries}
          returnTo={`/dashboard/payments/${payment.id}`}
          canRetry={hasPermission(actor, "webhooks:write")}
        />
      </section>
    </>
  );
}

function exceptionExplanation(
  payment: {
    exception: string | null;
    status: string;
    amount: string;
    amount_received: string;
    token: { symbol: string };
  },
  resolvable: boolean,
): string {
  const received = `${payment.amount_received} of ${payment.amount} ${payment.token.symbol}`;
  switch (payment.exception) {
    case "paid_late":
      return resolvable
        ? `The customer paid in full (${received}) after the payment expired. Accept the late payment to confirm it; the funds are then settled like any confirmed payment.`
        : `The customer paid in full (${received}) after the payment expired; the late payment was accepted.`;
    case "underpaid":
      if (payment.status === "expired")
        return resolvable
          ? `The payment expired with ${received} received. Accept it as paid to confirm it for what arrived (it is then settled like any confirmed payment), or agree the difference or a refund with your customer.`
          : `The payment expired with ${received} received; the received funds stay at the deposit address until it is accepted as paid.`;
      return `The payment expired with ${received} received and the partial payment was accepted as paid.`;
    case "overpaid":
      return `The customer sent more than asked (${received}). Everything received is settled to you; return the excess to your customer if you need to.`;
    case "reorged_after_settlement":
      return `A chain reorganisation took the paying transfer off the chain after the funds were settled (${received} on the chain now). In balance mode the credit was taken back (the balance may be owed, which blocks payouts); do not ship before the customer pays again.`;
    default:
      return "";
  }
}
