"use client";

// The payer's receipt once the payment is paid: what arrived, when, for which order, and each
// transaction with its explorer link; printable (the print stylesheet keeps only the receipt).

import type { TCheckoutObject } from "@/lib/checkout/checkout-object";
import { formatTokenAmount } from "@/lib/money/format-amount-for-locale";
import { CopyButton } from "../../_components/copy-button";
import styles from "./checkout.module.css";

export function Receipt({
  checkout,
  network,
  locale,
}: {
  checkout: TCheckoutObject;
  network: string;
  locale: string;
}) {
  const receipt = checkout.receipt;
  if (!receipt) return null;
  const symbol = checkout.token.symbol;
  const paidAt = receipt.paid_at
    ? new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }).format(
        new Date(receipt.paid_at),
      )
    : null;
  return (
    <section className={styles.receipt} aria-labelledby="receipt-heading" data-testid="receipt">
      <h2 id="receipt-heading">Receipt</h2>
      <dl className={styles.receiptList}>
        <dt>Amount received</dt>
        <dd data-testid="receipt-amount">{formatTokenAmount(checkout.amount_received, symbol, locale)}</dd>
        <dt>Paid to</dt>
        <dd>{checkout.merchant.name}</dd>
        {receipt.order_id ? (
          <>
            <dt>Order</dt>
            <dd data-testid="receipt-order">{receipt.order_id}</dd>
          </>
        ) : null}
        {paidAt ? (
          <>
            <dt>Paid</dt>
            <dd data-testid="receipt-time">{paidAt} UTC</dd>
          </>
        ) : null}
        <dt>Network</dt>
        <dd>{network}</dd>
        <dt>Payment</dt>
        <dd className={styles.mono}>{checkout.id}</dd>
        <dt>{receipt.transactions.length === 1 ? "Transaction" : "Transactions"}</dt>
        <dd>
          <ul className={styles.txList}>
            {receipt.transactions.map((transaction) => (
              <li key={transaction.tx_hash} data-testid="receipt-tx">
                <span className={styles.txAmount}>
                  {formatTokenAmount(transaction.amount, symbol, locale)}
                </span>{" "}
                {transaction.explorer_url ? (
                  <a href={transaction.explorer_url} rel="noreferrer" target="_blank" className={styles.mono}>
                    {transaction.tx_hash}
                  </a>
                ) : (
                  <span className={styles.mono}>{transaction.tx_hash}</span>
                )}{" "}
                <span className={styles.noPrint}>
                  <CopyButton
                    value={transaction.tx_hash}
                    label={`Copy transaction hash ${transaction.tx_hash}`}
                  />
                </span>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <button
        type="button"
        className={`button button-secondary ${styles.noPrint}`}
        onClick={() => window.print()}
      >
        Save receipt
      </button>
    </section>
  );
}
