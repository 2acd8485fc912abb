import Link from "next/link";
import { notFound } from "next/navigation";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { qrCodeSvg } from "@/lib/checkout/qr-code-svg";
import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { getPaymentDetailOrThrow } from "@/lib/dashboard/get-payment-detail";
import { AppError } from "@/lib/errors";
import styles from "../../dashboard.module.css";
import { formatTimestamp, StatusBadge } from "../../status-badge";
import { cancelPaymentAction } from "../actions";

export const metadata = { title: "Payment" };

const NOTICES: Record<string, { text: string; tone: "ok" | "bad" }> = {
  canceled: { text: "Payment canceled.", tone: "ok" },
  "cancel-refused": {
    text: "This payment can no longer be canceled (it has received funds or is final).",
    tone: "bad",
  },
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
  const { db, merchant } = await requireMerchantSession(`/dashboard/payments/${encodeURIComponent(id)}`);
  let detail: Awaited<ReturnType<typeof getPaymentDetailOrThrow>>;
  try {
    detail = await getPaymentDetailOrThrow(db, merchant.id, id, publicUrl());
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
  const { payment, timeline, cancelable } = detail;
  const qr = await qrCodeSvg(payment.payment_uri);
  const explorerUrl = configuredChains().find((chain) => chain.name === payment.chain)?.explorerUrl ?? null;
  // A balance-check credit (`balance:<address>:<block>`) has no transaction to link to.
  const explorerTx = (hash: string) =>
    explorerUrl && /^0x[0-9a-fA-F]{64}$/.test(hash) ? `${explorerUrl.replace(/\/+$/, "")}/tx/${hash}` : null;
  const message = typeof notice === "string" ? NOTICES[notice] : undefined;
  return (
    <>
      <p>
        <Link href="/dashboard/payments">← Payments</Link>
      </p>
      <div className={styles.pageHeader}>
        <h1>
          {payment.amount} {payment.token.symbol}{" "}
          <StatusBadge status={payment.status} exception={payment.exception} />
        </h1>
        {cancelable ? (
          <form action={cancelPaymentAction}>
            <input type="hidden" name="paymentId" value={payment.id} />
            <button type="submit" className="button button-danger">
              Cancel payment
            </button>
          </form>
        ) : null}
      </div>
      {created === "1" ? (
        <p className={styles.noticeOk} role="status">
          Payment created. Share the checkout link with your customer.
        </p>
      ) : null}
      {message ? (
        <p className={message.tone === "ok" ? styles.noticeOk : styles.noticeBad} role="status">
          {message.text}
        </p>
      ) : null}

      <section className={`card ${styles.checkoutShare}`} aria-labelledby="checkout-heading">
        <div>
          <h2 id="checkout-heading">Checkout link</h2>
          <p>
            <a href={payment.checkout_url} data-testid="checkout-link">
              {payment.checkout_url}
            </a>
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
            <code data-testid="payment-id">{payment.id}</code>
          </dd>
          <dt>Amount</dt>
          <dd>
            {payment.amount} {payment.token.symbol} ({payment.amount_base_units} base units)
          </dd>
          <dt>Received</dt>
          <dd data-testid="amount-received">
            {payment.amount_received} {payment.token.symbol}
          </dd>
          <dt>Chain</dt>
          <dd>
            {payment.chain} ({payment.chain_id})
          </dd>
          <dt>Deposit address</dt>
          <dd>
            <code>{payment.address}</code>
          </dd>
          <dt>Confirmations</dt>
          <dd>
            {payment.confirmations} of {payment.required_confirmations}
          </dd>
          <dt>Order id</dt>
          <dd>{payment.order_id ?? "—"}</dd>
          <dt>Description</dt>
          <dd>{payment.description ?? "—"}</dd>
          <dt>Redirect URL</dt>
          <dd>{payment.redirect_url ?? "—"}</dd>
          <dt>Created</dt>
          <dd>{formatTimestamp(payment.created_at)}</dd>
          <dt>Expires</dt>
          <dd>{formatTimestamp(payment.expires_at)}</dd>
          <dt>Metadata</dt>
          <dd>
            <code>{JSON.stringify(payment.metadata)}</code>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <ol className={styles.timeline} data-testid="timeline">
          {timeline.map((entry) => (
            <li key={entry.id}>
              <strong>
                {entry.fromStatus ? `${entry.fromStatus} → ` : ""}
                {entry.toStatus}
                {entry.exception ? ` (${entry.exception})` : ""}
              </strong>{" "}
              <span className="muted">
                {formatTimestamp(entry.at)} · {entry.reason}
              </span>
            </li>
          ))}
        </ol>
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
                    <td>
                      {explorerTx(transfer.tx_hash) ? (
                        <a href={explorerTx(transfer.tx_hash) ?? undefined} rel="noreferrer" target="_blank">
                          <code>{transfer.tx_hash}</code>
                        </a>
                      ) : (
                        <code>{transfer.tx_hash}</code>
                      )}
                    </td>
                    <td>
                      <code>{transfer.from}</code>
                    </td>
                    <td>
                      {transfer.amount} {payment.token.symbol}
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
    </>
  );
}
