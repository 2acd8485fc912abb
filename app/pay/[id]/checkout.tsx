"use client";

import { type CSSProperties, lazy, Suspense, useEffect, useState } from "react";
import { networkName } from "@/lib/chains/network-name";
import { brandPalette } from "@/lib/checkout/brand-contrast";
import type { TCheckoutObject } from "@/lib/checkout/checkout-object";
import { isPaidCheckoutStatus } from "@/lib/checkout/checkout-status";
import { formatDecimalForLocale, formatTokenAmount } from "@/lib/money/format-amount-for-locale";
import { CopyButton } from "../../_components/copy-button";
import styles from "./checkout.module.css";
import { Countdown } from "./countdown";
import { checkoutForOption, defaultOptionIndex, FiatOptions, optionKey } from "./fiat-options";
import { NetworkIcon, TokenIcon } from "./icons";
import { QrCode } from "./qr-code";
import { Receipt } from "./receipt";
import { useCheckoutPoll } from "./use-checkout-poll";
import { useWalletDetected } from "./use-wallet-detected";

// wagmi and viem load only when the payer asks for the browser wallet: the first load stays small
// (React.lazy rather than next/dynamic, whose loader adds 1.5 KiB to it; this part only ever renders
// in the browser, after a click).
const PayWithWallet = lazy(() => import("./pay-with-wallet"));

const REDIRECT_DELAY_MS = 5_000;

type CheckoutProps = {
  initialCheckout: TCheckoutObject;
  initialQrSvg: string | null;
  /** The payer's locale (Accept-Language), the same on the server and in the browser. */
  locale: string;
};

export function Checkout({ initialCheckout, initialQrSvg, locale }: CheckoutProps) {
  const live = useCheckoutPoll(initialCheckout);
  const polled = live.checkout;
  const [walletOpen, setWalletOpen] = useState(false);
  const walletDetected = useWalletDetected();
  // Priced in fiat: the payer picks the coin; the page then shows that option as a single-coin checkout.
  const fiat = polled.fiat;
  const [chosen, setChosen] = useState<string | null>(null);
  const option = fiat
    ? (fiat.options.find((candidate) => optionKey(candidate) === chosen) ??
      fiat.options[defaultOptionIndex(fiat)])
    : undefined;
  const checkout = option ? checkoutForOption(polled, option) : polled;
  const palette = brandPalette(checkout.merchant.brand_color);
  const brand = {
    "--brand": palette.button,
    "--brand-text": palette.buttonText,
    "--brand-accent": palette.accent,
  } as CSSProperties;
  const network = networkName({ name: checkout.chain.name, chainId: checkout.chain.chain_id });
  const amountText = (text: string) => formatTokenAmount(text, checkout.token.symbol, locale);
  const walletUri = checkout.remaining_payment_uri ?? checkout.payment_uri;
  const final =
    isPaidCheckoutStatus(checkout.status) || checkout.status === "expired" || checkout.status === "canceled";
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
                <span data-testid="checkout-price">{formatDecimalForLocale(fiat.price.amount, locale)}</span>{" "}
                <span className={styles.symbol}>{fiat.price.currency}</span>
              </>
            ) : (
              <>
                <TokenIcon symbol={checkout.token.symbol} />{" "}
                <span data-testid="checkout-amount">{formatDecimalForLocale(checkout.amount, locale)}</span>{" "}
                <span className={styles.symbol}>{checkout.token.symbol}</span>
              </>
            )}
          </h1>
          <p className={`muted ${styles.network}`}>
            <NetworkIcon chainId={checkout.chain.chain_id} name={network} /> on{" "}
            <strong data-testid="checkout-chain">{network}</strong>
          </p>
          {checkout.description ? <p className={styles.description}>{checkout.description}</p> : null}
        </header>

        <StatusBanner checkout={checkout} />

        {live.unavailable ? (
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
            receivedAt={live.updatedAt}
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
            <div className={styles.countdownBox}>
              <span>Time left to pay</span>
              <Countdown
                expiresAt={checkout.expires_at}
                serverTime={checkout.server_time}
                receivedAt={live.updatedAt}
              />
            </div>
            {/* On a phone the wallet app is the way to pay: first, above the fold. */}
            <a className={`button ${styles.phoneOnly}`} href={walletUri} data-testid="open-wallet-primary">
              Open in wallet app
            </a>
            <div className={styles.payGrid}>
              <QrCode
                uri={walletUri}
                initialUri={initialCheckout.remaining_payment_uri}
                initialSvg={initialQrSvg}
                label={`QR code to pay ${checkout.amount_remaining} ${checkout.token.symbol} on ${network}`}
              />
              <dl className={styles.details}>
                <dt>Send exactly</dt>
                <dd className={styles.copyRow}>
                  <span className={styles.mono} data-testid="amount-to-send">
                    {amountText(checkout.amount_remaining)}
                  </span>
                  <CopyButton value={checkout.amount_remaining} label="Copy amount" />
                </dd>
                <dt>To address</dt>
                <dd className={styles.addressRow}>
                  <GroupedAddress address={checkout.address} testId="deposit-address" />
                  <CopyButton value={checkout.address} label="Copy address" />
                </dd>
                {checkout.token.address ? (
                  <>
                    <dt>Token contract</dt>
                    <dd className={styles.addressRow}>
                      <GroupedAddress address={checkout.token.address} />
                    </dd>
                  </>
                ) : null}
              </dl>
            </div>
            <div className={styles.actions}>
              <a className={`button button-secondary ${styles.desktopOnly}`} href={walletUri}>
                Open in wallet app
              </a>
              {walletOpen || !walletDetected ? null : (
                <button type="button" className="button" onClick={() => setWalletOpen(true)}>
                  Pay with browser wallet
                </button>
              )}
            </div>
            {walletOpen ? (
              <Suspense
                fallback={
                  <p className="muted" role="status">
                    Loading wallet…
                  </p>
                }
              >
                <PayWithWallet key={checkout.token.symbol + checkout.chain.name} checkout={checkout} />
              </Suspense>
            ) : null}
            <p className={styles.hint}>
              Send only {checkout.token.symbol} on {network} (chain id {checkout.chain.chain_id}) to this
              address. This page updates by itself.
            </p>
          </>
        ) : null}

        <Receipt checkout={checkout} network={network} locale={locale} />

        {isPaidCheckoutStatus(checkout.status) && checkout.redirect_url ? (
          <RedirectNotice url={checkout.redirect_url} merchantName={checkout.merchant.name} />
        ) : final && checkout.redirect_url && /^https?:\/\//i.test(checkout.redirect_url) ? (
          <p className={`${styles.redirect} ${styles.noPrint}`}>
            <a className="button button-secondary" href={checkout.redirect_url} data-testid="return-to-store">
              Return to {checkout.merchant.name}
            </a>
          </p>
        ) : null}
      </section>
      <p className={`${styles.footer} ${styles.noPrint}`}>Secured by cTrip Pay · payment {checkout.id}</p>
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
    <p className={`${styles.redirect} ${styles.noPrint}`} data-testid="redirect-notice">
      Returning you to {merchantName} in a few seconds…{" "}
      <a className="button button-secondary" href={url}>
        Return now
      </a>
    </p>
  );
}

/** An address in groups of 4 characters (easier to compare with a wallet's), copied as one string. */
function GroupedAddress({ address, testId }: { address: string; testId?: string }) {
  // "0x", then 4 characters at a time; each group's key is its offset in the address.
  const offsets = [0, ...Array.from({ length: Math.ceil((address.length - 2) / 4) }, (_, i) => 2 + i * 4)];
  return (
    <span className={`${styles.mono} ${styles.address}`} data-testid={testId}>
      {offsets.map((offset) => (
        <span key={offset} className={styles.addressGroup}>
          {address.slice(offset, offset === 0 ? 2 : offset + 4)}
        </span>
      ))}
    </span>
  );
}
