"use client";

import { useActionState, useState } from "react";
import type { ChainOption } from "@/lib/dashboard/chain-options";
import type { TCoinChoice } from "@/lib/dashboard/quote-settings-form";
import { ChainTokenFields } from "../../chain-token-fields";
import { createPaymentAction, type NewPaymentState } from "../actions";
import { FiatPriceFields } from "./fiat-price-fields";

const INITIAL: NewPaymentState = { error: null, fieldErrors: {}, values: {} };

type Pricing = "coin" | "fiat";

export function NewPaymentForm({
  chains,
  fiat,
}: {
  chains: ChainOption[];
  /** The merchant's accepted coins and display currency (the fiat form's choices and default). */
  fiat: { coins: TCoinChoice[]; currencies: readonly string[]; displayCurrency: string };
}) {
  const [state, action, pending] = useActionState(createPaymentAction, INITIAL);
  const values = state.values;
  // The radios stay uncontrolled (defaultChecked): React resets a form after its action to the
  // defaults, which then name the variant shown, so a refused form keeps "price in fiat".
  const [pricing, setPricing] = useState<Pricing>(values.pricing === "fiat" ? "fiat" : "coin");
  const error = (field: string) => state.fieldErrors[field];
  const fieldProps = (field: string) => ({
    "aria-invalid": Boolean(error(field)),
    "aria-describedby": error(field) ? `${field}-error` : undefined,
  });
  const message = (field: string) =>
    error(field) ? (
      <span id={`${field}-error`} className="form-error">
        {error(field)}
      </span>
    ) : null;

  return (
    <form action={action}>
      <fieldset className="field">
        <legend>Pricing</legend>
        {(
          [
            ["coin", "Fixed in one coin (you pick the network and coin)"],
            ["fiat", "Price in fiat (the payer chooses the coin)"],
          ] as const
        ).map(([value, label]) => (
          <label key={value} htmlFor={`pricing-${value}`}>
            <input
              id={`pricing-${value}`}
              type="radio"
              name="pricing"
              value={value}
              defaultChecked={pricing === value}
              onChange={() => setPricing(value)}
            />{" "}
            {label}
          </label>
        ))}
      </fieldset>
      <div className="form-grid">
        {pricing === "fiat" ? (
          <FiatPriceFields {...fiat} errors={state.fieldErrors} values={values} accepts={state.accepts} />
        ) : (
          <>
            <ChainTokenFields
              key={`${values.chain}:${values.token}`}
              chains={chains}
              errors={state.fieldErrors}
              defaultToken={
                values.chain && values.token ? { chain: values.chain, token: values.token } : undefined
              }
            />
            <div className="field">
              <label htmlFor="amount">Amount</label>
              <input
                id="amount"
                name="amount"
                inputMode="decimal"
                required
                placeholder="12.50"
                defaultValue={values.amount}
                {...fieldProps("amount")}
              />
              {message("amount")}
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor="expires_in_minutes">Expires in (minutes, optional)</label>
          <input
            id="expires_in_minutes"
            name="expires_in_minutes"
            type="number"
            min={1}
            max={10080}
            defaultValue={values.expires_in_minutes}
            {...fieldProps("expires_in_minutes")}
          />
          {message("expires_in_minutes")}
        </div>
        <div className="field">
          <label htmlFor="order_id">Order id (optional)</label>
          <input
            id="order_id"
            name="order_id"
            maxLength={200}
            defaultValue={values.order_id}
            {...fieldProps("order_id")}
          />
          {message("order_id")}
        </div>
        <div className="field">
          <label htmlFor="redirect_url">Redirect after payment (optional)</label>
          <input
            id="redirect_url"
            name="redirect_url"
            type="url"
            placeholder="https://shop.example/thanks"
            defaultValue={values.redirect_url}
            {...fieldProps("redirect_url")}
          />
          {message("redirect_url")}
        </div>
      </div>
      <div className="field">
        <label htmlFor="description">Description shown to the payer (optional)</label>
        <textarea
          id="description"
          name="description"
          maxLength={1000}
          rows={2}
          defaultValue={values.description}
          {...fieldProps("description")}
        />
        {message("description")}
      </div>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Creating…" : "Create payment"}
      </button>
    </form>
  );
}
