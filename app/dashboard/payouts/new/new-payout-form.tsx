"use client";

import { useActionState, useState } from "react";
import type { ChainOption } from "@/lib/dashboard/chain-options";
import { ChainTokenFields } from "../../chain-token-fields";
import { FieldError, FormStatus, fieldErrorProps } from "../../field-error";
import { AddressLastFour } from "../../settings/password-confirmation";
import { createPayoutAction, type NewPayoutState } from "../actions";

const INITIAL: NewPayoutState = { error: null, fieldErrors: {}, values: {} };

export function NewPayoutForm({ chains }: { chains: ChainOption[] }) {
  const [state, action, pending] = useActionState(createPayoutAction, INITIAL);
  const values = state.values;
  const errors = state.fieldErrors;
  // Controlled, so an all-lower-case address asks for its last 4 characters as it is typed.
  const [address, setAddress] = useState(values.address ?? "");
  return (
    <form action={action} aria-label="New payout">
      <div className="form-grid">
        <ChainTokenFields
          key={`${values.chain}:${values.token}`}
          chains={chains}
          errors={errors}
          defaultToken={
            values.chain && values.token ? { chain: values.chain, token: values.token } : undefined
          }
        />
        <div className="field">
          <label htmlFor="amount">Amount</label>
          <input
            id="amount"
            name="amount"
            defaultValue={values.amount}
            inputMode="decimal"
            autoComplete="off"
            required
            placeholder="0.5"
            {...fieldErrorProps(errors, "amount")}
          />
          <FieldError errors={errors} field="amount" />
        </div>
        <div className="field">
          <label htmlFor="address">Recipient address</label>
          <input
            id="address"
            name="address"
            value={address}
            onChange={(event) => setAddress(event.target.value)}
            required
            spellCheck={false}
            autoComplete="off"
            placeholder="0x…"
            {...fieldErrorProps(errors, "address")}
          />
          <FieldError errors={errors} field="address" />
        </div>
        <AddressLastFour
          prefix="payout"
          address={address}
          errors={errors}
          defaultValue={values.address_confirm}
        />
      </div>
      <div className="field">
        <label htmlFor="description">Description (optional, for your records)</label>
        <input
          id="description"
          name="description"
          defaultValue={values.description}
          maxLength={500}
          {...fieldErrorProps(errors, "description")}
        />
        <FieldError errors={errors} field="description" />
      </div>
      <FormStatus error={state.error} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Creating…" : "Create payout"}
      </button>
    </form>
  );
}
