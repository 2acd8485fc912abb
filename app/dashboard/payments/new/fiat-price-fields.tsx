"use client";

import type { TCoinChoice } from "@/lib/dashboard/quote-settings-form";
import { CoinCheckboxes, CurrencySelect } from "../../fiat-fields";
import { FieldError, type FieldErrors, fieldErrorProps } from "../../field-error";

/**
 * The "price in fiat" part of the new-payment form: amount and currency, and optionally some of the
 * merchant's accepted coins (none ticked = every accepted coin).
 */
export function FiatPriceFields({
  coins,
  currencies,
  displayCurrency,
  errors,
  values,
  accepts,
}: {
  coins: TCoinChoice[];
  currencies: readonly string[];
  displayCurrency: string;
  errors: FieldErrors;
  values: Record<string, string>;
  accepts?: string[] | undefined;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor="price_amount">Price</label>
        <input
          id="price_amount"
          name="price_amount"
          inputMode="decimal"
          required
          placeholder="20.00"
          defaultValue={values.price_amount}
          {...fieldErrorProps(errors, "price_amount")}
        />
        <FieldError errors={errors} field="price_amount" />
      </div>
      <CurrencySelect
        name="price_currency"
        label="Currency"
        currencies={currencies}
        defaultValue={values.price_currency ?? displayCurrency}
        errors={errors}
      />
      <CoinCheckboxes
        name="accepts"
        legend="Coins the payer may choose (none ticked = all your accepted coins)"
        coins={coins}
        checked={accepts ?? []}
        errors={errors}
      />
    </>
  );
}
