"use client";

import { useEffect, useState } from "react";
import type { TCheckoutObject, TCheckoutOption } from "@/lib/checkout/checkout-object";
import styles from "./checkout.module.css";
import { Countdown } from "./countdown";

type Fiat = NonNullable<TCheckoutObject["fiat"]>;

/** The option a payer starts with: the first stablecoin, else the first option. */
export function defaultOptionIndex(fiat: Fiat): number {
  const stable = fiat.options.findIndex((option) => option.stablecoin);
  return Math.max(stable, 0);
}

export const optionKey = (option: TCheckoutOption) => `${option.chain.name}:${option.token.symbol}`;

/**
 * The checkout as the chosen option pays it: that coin, chain, remaining amount and EIP-681 URI
 * (the address is the same for every option, so switching needs no request).
 */
export function checkoutForOption(checkout: TCheckoutObject, option: TCheckoutOption): TCheckoutObject {
  return {
    ...checkout,
    chain: option.chain,
    token: option.token,
    amount: option.amount_remaining,
    amount_base_units: option.amount_remaining_base_units,
    amount_remaining: option.amount_remaining,
    amount_remaining_base_units: option.amount_remaining_base_units,
    payment_uri: option.remaining_payment_uri ?? checkout.payment_uri,
    remaining_payment_uri: option.remaining_payment_uri,
  };
}

/** The coin picker: one radio per option with its amount; the chosen one's quote countdown. */
export function FiatOptions({
  fiat,
  selected,
  onSelect,
  serverTime,
  receivedAt,
}: {
  fiat: Fiat;
  selected: TCheckoutOption;
  onSelect: (key: string) => void;
  serverTime: string;
  receivedAt: number;
}) {
  // A re-quote is reported on the one answer that made it: keep explaining it afterwards.
  const [requoted, setRequoted] = useState(fiat.requoted);
  useEffect(() => {
    if (fiat.requoted) setRequoted(true);
  }, [fiat.requoted]);
  return (
    <div className={styles.options}>
      <fieldset>
        <legend>Pay with</legend>
        {fiat.options.map((option) => {
          const key = optionKey(option);
          return (
            <label key={key} className={styles.option} data-testid={`option-${key}`}>
              <input
                type="radio"
                name="coin"
                value={key}
                checked={key === optionKey(selected)}
                onChange={() => onSelect(key)}
              />
              <span>
                <strong>{option.token.symbol}</strong> on {option.chain.name}
              </span>
              <span className={styles.mono}>
                {option.amount_remaining} {option.token.symbol}
              </span>
            </label>
          );
        })}
      </fieldset>
      <p className="muted">
        1 {selected.token.symbol} = {selected.rate} {fiat.price.currency}; this quote holds for{" "}
        <Countdown expiresAt={selected.quote_expires_at} serverTime={serverTime} receivedAt={receivedAt} />.
      </p>
      {requoted ? (
        <p className={styles.warning} role="status" data-testid="requote-notice">
          The previous exchange-rate quote expired before the full payment arrived, so the amounts were
          recalculated at the current rate. Send the amount shown now.
        </p>
      ) : null}
    </div>
  );
}
