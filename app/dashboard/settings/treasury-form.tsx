"use client";

import { useActionState, useState } from "react";
import { utcTimeText } from "@/lib/settlement/setting-change-object";
import { ConfirmSubmit } from "../../_components/confirm-submit";
import { setTreasuryAction, type TreasuryState } from "./actions";
import { AddressLastFour, dialogErrorOf, PasswordField } from "./password-confirmation";

const INITIAL: TreasuryState = {
  saved: false,
  error: null,
  fieldErrors: {},
  mode: null,
  address: null,
  values: null,
};

type Mode = "treasury" | "balance";

const MODE_TEXT: Record<Mode, string> = {
  treasury: "Mode: treasury — confirmed payments are swept to this address.",
  balance:
    "Mode: balance — confirmed payments are swept to your hot wallet on this gateway and credited to your balance, for payouts and refunds.",
};

/** The settlement of one chain: treasury (with its address) or balance, confirmed with the password. */
export function TreasuryForm({
  chain,
  chainId,
  current,
}: {
  chain: string;
  chainId: number;
  current: { mode: Mode; address: string | null } | null;
}) {
  const [state, action, pending] = useActionState(setTreasuryAction, INITIAL);
  const [mode, setMode] = useState<Mode>(current?.mode ?? "treasury");
  const inputId = `treasury-${chain}`;
  const errors = state.fieldErrors;
  const error = errors.address ?? errors.chain;
  return (
    <form action={action} className="inline-form" data-testid={`treasury-${chain}`}>
      <input type="hidden" name="chain" value={chain} />
      <div className="field">
        <label htmlFor={`${inputId}-mode-select`}>Settlement mode on {chain}</label>
        <select
          id={`${inputId}-mode-select`}
          name="mode"
          value={mode}
          onChange={(event) => setMode(event.target.value === "balance" ? "balance" : "treasury")}
        >
          <option value="treasury">Treasury: sweep to my address</option>
          <option value="balance">Balance: hold for payouts and refunds</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={inputId}>
          Treasury address on {chain} ({chainId}){mode === "balance" ? " (optional in balance mode)" : ""}
        </label>
        <input
          id={inputId}
          name="address"
          required={mode === "treasury"}
          spellCheck={false}
          autoComplete="off"
          placeholder="0x…"
          size={44}
          defaultValue={state.values?.address ?? current?.address ?? ""}
          aria-invalid={Boolean(error)}
          aria-describedby={`${inputId}-mode${error ? ` ${inputId}-error` : ""}`}
        />
        <span id={`${inputId}-mode`} className="muted">
          {current === null ? "Not set: payments on this chain are not swept." : MODE_TEXT[current.mode]}
        </span>
        {error ? (
          <span id={`${inputId}-error`} className="form-error" role="alert">
            {error}
          </span>
        ) : null}
      </div>
      <ConfirmSubmit
        label={`Save ${chain} settlement`}
        title={`Change the settlement on ${chain}?`}
        confirmLabel="Confirm and save"
        pending={pending}
        result={state}
        keepOpen={dialogErrorOf(errors)}
        body={(values) => {
          const address = String(values.get("address") ?? "").trim();
          const balance = values.get("mode") === "balance";
          return (
            <>
              <p className="confirm-consequence" data-testid="treasury-consequence">
                {balance
                  ? `Every future sweep on ${chain} goes to your hot wallet on this gateway and is credited to your balance.`
                  : `Every future sweep on ${chain} goes to ${address}.`}{" "}
                {current
                  ? "A change of an existing settlement takes effect after the money-routing delay and is announced by a settings.updated webhook."
                  : "It takes effect at once."}
              </p>
              {address ? <AddressLastFour prefix={inputId} address={address} errors={errors} /> : null}
              <PasswordField prefix={inputId} errors={errors} />
            </>
          );
        }}
      />
      {state.saved && state.effectiveAt ? (
        <p className="notice-ok" role="status">
          Change scheduled: it takes effect at {utcTimeText(state.effectiveAt)} (see scheduled changes above;
          the current settlement stays until then).
        </p>
      ) : state.saved ? (
        <p className="notice-ok" role="status">
          {state.mode === "balance" ? (
            `Settlement for ${chain} saved: balance mode.`
          ) : (
            <>
              Treasury for {chain} saved: <code>{state.address}</code>
            </>
          )}
        </p>
      ) : null}
      {state.error && !error && !dialogErrorOf(errors) ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
    </form>
  );
}
