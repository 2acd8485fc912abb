"use client";

import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { type CSSProperties, useEffect, useState } from "react";
import { isPaidCheckoutStatus, type TCheckoutObject } from "@/lib/checkout/checkout-object";
import { checkoutQueryOptions } from "@/lib/checkout/checkout-query";
import { CopyButton } from "../../_components/copy-button";
import styles from "./checkout.module.css";
import { Countdown } from "./countdown";
import { checkoutForOption, defaultOptionIndex, FiatOptions, optionKey } from "./fiat-options";
import { QrCode } from "./qr-code";

// wagmi and viem load only when the payer asks for the browser wallet: the first load stays small.
const PayWithWallet = dynamic(() => import("./pay-with-wallet"), {
  ssr: false,
  loading: () => (
    <p className="muted" role="status">
      Loading wallet…
    </p>
  ),
});

const REDIRECT_DELAY_MS = 5_000;

type CheckoutProps = { initialCheckout: TCheckoutObject; initialQrSvg: string | null };

export function Checkout(props: CheckoutProps) {
  const [queryClient] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <CheckoutBody {...props} />
    </QueryClientProvider>
  );
}

function CheckoutBody({ initialCheckout, initialQrSvg }: CheckoutProps) {
  const query = useQuery(checkoutQueryOptions(initialCheckout.id, initialCheckout));
  const polled = query.data ?? initialCheckout;
  const [walletOpen, setWalletOpen] = useState(false);
  // Priced in fiat: the payer picks the coin; the page then shows that option as a single-coin checkout.
  const fiat = polled.fiat;
  const [chosen, setChosen] = useState<string | null>(null);
  const option = fiat
    ? (fiat.options.find((candidate) => optionKey(candidate) === chosen) ??
      fiat.options[defaultOptionIndex(fiat)])
    : undefined;
  const checkout = option ? checkoutForOption(polled, option) : polled;
  const brand = { "--brand": checkout.merchant.brand_color ?? "var(--accent)" } as CSSProperties;
  const received = BigInt(checkout.amount_received_base_units);
  const due = checkout.remaining_payment_uri !== null;
  const payable = due && checkout.status === "pending";

  return (
    <main className={styles.page} style={brand}>
      <section className={styles.card} aria-labelledby="checkout-heading">
        <header className={styles.header}>
          <p className={styles.merchant} data-testid="merchant-name">
            {checkout.merchant.name}
          </p>
          <h1 id="checkout-heading" className={styles.amount}>
            {fiat ? (
              <>
                <span data-testid="checkout-price">{fiat.price.amount}</span>{" "}
                <span className={styles.symbol}>{fiat.price.currency}</span>
              </>
            ) : (
              <>
                <span data-testid="checkout-amount">{checkout.amount}</span>{" "}
                <span className={styles.symbol}>{checkout.token.symbol}</span>
              </>
            )}
          </h1>
          <p className="muted">
            on <strong data-testid="checkout-chain">{checkout.chain.name}</strong> (chain id{" "}
            {checkout.chain.chain_id})
          </p>
          {checkout.description ? <p className={styles.description}>{checkout.description}</p> : null}
        </header>

        <StatusBanner checkout={checkout} />

        {query.isError ? (
          <p className={styles.warning} role="alert">
            Live status is temporarily unavailable; retrying. Your payment is still being tracked.
          </p>
        ) : null}

        {checkout.status === "detected" ? <ConfirmationsProgress checkout={checkout} /> : null}

        {payable && fiat && option ? (
          <FiatOptions
            fiat={fiat}
            selected={option}
            onSelect={setChosen}
            serverTime={checkout.server_time}
            receivedAt={query.dataUpdatedAt}
          />
        ) : null}

        {payable ? (
          <>
            {fiat && fiat.value_received !== "0.00" && fiat.value_received !== "0" ? (
              <p className={styles.partial} data-testid="remaining-amount">
                Received {fiat.value_received} of {fiat.price.amount} {fiat.price.currency}. Please send the
                remaining{" "}
                <strong>
                  {checkout.amount_remaining} {checkout.token.symbol}
                </strong>
                .
              </p>
            ) : !fiat && received > 0n ? (
              <p className={styles.partial} data-testid="remaining-amount">
                Received {checkout.amount_received} {checkout.token.symbol}. Please send the remaining{" "}
                <strong>
                  {checkout.amount_remaining} {checkout.token.symbol}
                </strong>
                .
              </p>
            ) : null}
            <div className={styles.payGrid}>
              <QrCode
                uri={checkout.remaining_payment_uri ?? checkout.payment_uri}
                initialUri={initialCheckout.remaining_payment_uri}
                initialSvg={initialQrSvg}
                label={`QR code to pay ${checkout.amount_remaining} ${checkout.token.symbol} on ${checkout.chain.name}`}
              />
              <dl className={styles.details}>
                <dt>Send exactly</dt>
                <dd className={styles.copyRow}>
                  <span className={styles.mono} data-testid="amount-to-send">
                    {checkout.amount_remaining} {checkout.token.symbol}
                  </span>
                  <CopyButton value={checkout.amount_remaining} label="Copy amount" />
                </dd>
                <dt>To address</dt>
                <dd className={styles.copyRow}>
                  <span className={`${styles.mono} ${styles.address}`} data-testid="deposit-address">
                    {checkout.address}
                  </span>
                  <CopyButton value={checkout.address} label="Copy address" />
                </dd>
                {checkout.token.address ? (
                  <>
                    <dt>Token contract</dt>
                    <dd className={`${styles.mono} ${styles.address}`}>{checkout.token.address}</dd>
                  </>
                ) : null}
                <dt>Time left</dt>
                <dd>
                  <Countdown
                    expiresAt={checkout.expires_at}
                    serverTime={checkout.server_time}
                    receivedAt={query.dataUpdatedAt}
                  />
                </dd>
              </dl>
            </div>
            <div className={styles.actions}>
              <a
                className="button button-secondary"
                href={checkout.remaining_payment_uri ?? checkout.payment_uri}
              >
                Open in wallet app
              </a>
              {walletOpen ? null : (
                <button type="button" className="button" onClick={() => setWalletOpen(true)}>
                  Pay with browser wallet
                </button>
              )}
            </div>
            {walletOpen ? (
              <PayWithWallet key={checkout.token.symbol + checkout.chain.name} checkout={checkout} />
            ) : null}
            <p className={styles.hint}>
              Send only {checkout.token.symbol} on {checkout.chain.name} to this address. This page updates by
              itself.
            </p>
          </>
        ) : null}

        {isPaidCheckoutStatus(checkout.status) && checkout.redirect_url ? (
          <RedirectNotice url={checkout.redirect_url} merchantName={checkout.merchant.name} />
        ) : null}
      </section>
      <p className={styles.footer}>Secured by cTrip Pay · payment {checkout.id}</p>
    </main>
  );
}

function StatusBanner({ checkout }: { checkout: TCheckoutObject }) {
  const received = BigInt(checkout.amount_received_base_units) > 0n;
  const { tone, title, detail } = ((): {
    tone: "info" | "ok" | "warn" | "bad";
    title: string;
    detail?: string;
  } => {
    switch (checkout.status) {
      case "pending":
        return received
          ? {
              tone: "warn",
              title: "Partial payment received",
              detail: "Send the remaining amount to complete it.",
            }
          : { tone: "info", title: "Waiting for your payment" };
      case "detected":
        return {
          tone: "info",
          title: "Payment detected",
          detail: "Waiting for the network to confirm it. You can keep this page open.",
        };
      case "confirmed":
      case "settled":
        return {
          tone: "ok",
          title: "Payment complete",
          detail:
            checkout.exception === "overpaid"
              ? `You sent more than requested (${checkout.amount_received} ${checkout.token.symbol}); contact ${checkout.merchant.name} about the difference.`
              : `${checkout.merchant.name} has received your payment. Thank you!`,
        };
      case "expired":
        if (checkout.exception === "paid_late")
          return {
            tone: "warn",
            title: "Payment arrived after expiry",
            detail: `${checkout.merchant.name} has been notified and will review it.`,
          };
        if (checkout.exception === "underpaid")
          return {
            tone: "bad",
            title: "Payment expired before the full amount arrived",
            detail: `Received ${checkout.amount_received} of ${checkout.amount} ${checkout.token.symbol}. Contact ${checkout.merchant.name}; do not send more to this address.`,
          };
        return {
          tone: "bad",
          title: "This payment has expired",
          detail: "Do not send funds to this address. Ask for a new payment link.",
        };
      case "canceled":
        return {
          tone: "bad",
          title: "This payment was canceled",
          detail: "Do not send funds to this address.",
        };
    }
  })();
  return (
    <div
      className={`${styles.status} ${styles[tone]}`}
      role="status"
      aria-live="polite"
      data-testid="checkout-status"
    >
      <strong data-status={checkout.status}>{title}</strong>
      {detail ? <span>{detail}</span> : null}
    </div>
  );
}

function ConfirmationsProgress({ checkout }: { checkout: TCheckoutObject }) {
  const confirmations = Math.min(checkout.confirmations, checkout.required_confirmations);
  return (
    <div className={styles.progress}>
      <label htmlFor="confirmations">
        Confirmations: {confirmations} of {checkout.required_confirmations}
      </label>
      <progress id="confirmations" max={checkout.required_confirmations} value={confirmations} />
    </div>
  );
}

function RedirectNotice({ url, merchantName }: { url: string; merchantName: string }) {
  // Only http(s) (validated at creation too): never a javascript: URL from stored data.
  const safe = /^https?:\/\//i.test(url);
  useEffect(() => {
    if (!safe) return;
    const timer = setTimeout(() => window.location.assign(url), REDIRECT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [url, safe]);
  if (!safe) return null;
  return (
    <p className={styles.redirect} data-testid="redirect-notice">
      Returning you to {merchantName} in a few seconds… <a href={url}>Return now</a>
    </p>
  );
}
