"use client";

import { useActionState } from "react";
import type { TCoinChoice } from "@/lib/dashboard/quote-settings-form";
import { CoinCheckboxes, CurrencySelect } from "../fiat-fields";
import { FieldError, FormStatus, fieldErrorProps } from "../field-error";
import { type QuoteSettingsState, setQuoteSettingsAction } from "./actions";

const INITIAL: QuoteSettingsState = {
  saved: false,
  error: null,
  fieldErrors: {},
  values: null,
  acceptedCoins: null,
};

/** Quote window, tolerance, accepted coins and display currency of payments priced in fiat (owner). */
export function QuoteSettingsForm({
  current,
  coins,
  currencies,
}: {
  current: {
    quoteTtlMinutes: number;
    underpaymentTolerance: string;
    acceptedCoins: string[];
    displayCurrency: string;
  };
  coins: TCoinChoice[];
  currencies: readonly string[];
}) {
  const [state, action, pending] = useActionState(setQuoteSettingsAction, INITIAL);
  const errors = state.fieldErrors;
  const value = (field: string, fallback: string) => state.values?.[field] ?? fallback;
  const accepted = state.acceptedCoins ?? current.acceptedCoins;
  return (
    <form action={action} data-testid="quote-settings-form" aria-label="Prices in fiat">
      <div className="form-grid">
        <div className="field">
          <label htmlFor="quote_ttl_minutes">Quote window (minutes a quoted coin amount stays valid)</label>
          <input
            id="quote_ttl_minutes"
            name="quote_ttl_minutes"
            type="number"
            min={1}
            max={1440}
            required
            defaultValue={value("quote_ttl_minutes", String(current.quoteTtlMinutes))}
            {...fieldErrorProps(errors, "quote_ttl_minutes")}
          />
          <FieldError errors={errors} field="quote_ttl_minutes" />
        </div>
        <div className="field">
          <label htmlFor="underpayment_tolerance">Underpayment tolerance (percent of the price, 0–10)</label>
          <input
            id="underpayment_tolerance"
            name="underpayment_tolerance"
            inputMode="decimal"
            required
            defaultValue={value("underpayment_tolerance", current.underpaymentTolerance)}
            {...fieldErrorProps(errors, "underpayment_tolerance")}
          />
          <FieldError errors={errors} field="underpayment_tolerance" />
        </div>
        <CurrencySelect
          name="display_currency"
          label="Display currency (dashboard totals and values)"
          currencies={currencies}
          defaultValue={value("display_currency", current.displayCurrency)}
          errors={errors}
        />
      </div>
      <CoinCheckboxes
        name="accepted_coins"
        legend="Accepted coins (what payers may choose from when a payment names none)"
        coins={coins}
        checked={accepted}
        errors={errors}
      />
      <FormStatus error={state.error} success={state.saved ? "Settings saved." : null} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Save fiat settings"}
      </button>
    </form>
  );
}
