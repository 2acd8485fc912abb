"use client";

import type { TCoinChoice } from "@/lib/dashboard/quote-settings-form";
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
      <div className="field">
        <label htmlFor="price_currency">Currency</label>
        <select
          id="price_currency"
          name="price_currency"
          defaultValue={values.price_currency ?? displayCurrency}
          {...fieldErrorProps(errors, "price_currency")}
        >
          {currencies.map((currency) => (
            <option key={currency} value={currency}>
              {currency}
            </option>
          ))}
        </select>
        <FieldError errors={errors} field="price_currency" />
      </div>
      <fieldset className="field" {...fieldErrorProps(errors, "accepts")}>
        <legend>Coins the payer may choose (none ticked = all your accepted coins)</legend>
        {coins.map((coin) => (
          <label key={coin.value} htmlFor={`accepts-${coin.value}`}>
            <input
              id={`accepts-${coin.value}`}
              name="accepts"
              type="checkbox"
              value={coin.value}
              defaultChecked={accepts?.includes(coin.value) ?? false}
            />{" "}
            {coin.label}
          </label>
        ))}
        <FieldError errors={errors} field="accepts" />
      </fieldset>
    </>
  );
}
