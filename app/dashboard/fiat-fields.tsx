// Fields of the dashboard's fiat forms (settings "Prices in fiat" and the new-payment form's
// "price in fiat"): a currency select and a checkbox list of coins with friendly names.
import type { TCoinChoice } from "@/lib/dashboard/quote-settings-form";
import { FieldError, type FieldErrors, fieldErrorProps } from "./field-error";

/** A select of ISO 4217 currencies; `name` is also its id and the field its error is shown for. */
export function CurrencySelect({
  name,
  label,
  currencies,
  defaultValue,
  errors,
}: {
  name: string;
  label: string;
  currencies: readonly string[];
  defaultValue: string;
  errors: FieldErrors;
}) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={defaultValue} {...fieldErrorProps(errors, name)}>
        {currencies.map((currency) => (
          <option key={currency} value={currency}>
            {currency}
          </option>
        ))}
      </select>
      <FieldError errors={errors} field={name} />
    </div>
  );
}

/** One checkbox per coin (value "chain:SYMBOL", label "USDC on Base") under one legend and one error. */
export function CoinCheckboxes({
  name,
  legend,
  coins,
  checked,
  errors,
}: {
  name: string;
  legend: string;
  coins: TCoinChoice[];
  checked: readonly string[];
  errors: FieldErrors;
}) {
  return (
    <fieldset className="field" aria-describedby={errors[name] ? `${name}-error` : undefined}>
      <legend>{legend}</legend>
      {coins.map((coin) => (
        <label key={coin.value} htmlFor={`${name}-${coin.value}`}>
          <input
            id={`${name}-${coin.value}`}
            name={name}
            type="checkbox"
            value={coin.value}
            defaultChecked={checked.includes(coin.value)}
          />{" "}
          {coin.label}
        </label>
      ))}
      <FieldError errors={errors} field={name} />
    </fieldset>
  );
}
