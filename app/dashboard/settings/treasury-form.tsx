"use client";

import { useActionState } from "react";
import { setTreasuryAction, type TreasuryState } from "./actions";

const INITIAL: TreasuryState = { saved: false, error: null, fieldErrors: {}, address: null };

/** The treasury address of one chain; saving sets the chain's settlement mode to `treasury`. */
export function TreasuryForm({
  chain,
  chainId,
  current,
}: {
  chain: string;
  chainId: number;
  current: { mode: "treasury" | "balance"; address: string | null } | null;
}) {
  const [state, action, pending] = useActionState(setTreasuryAction, INITIAL);
  const inputId = `treasury-${chain}`;
  const error = state.fieldErrors.address ?? state.fieldErrors.chain;
  return (
    <form action={action} className="inline-form" data-testid={`treasury-${chain}`}>
      <input type="hidden" name="chain" value={chain} />
      <div className="field">
        <label htmlFor={inputId}>
          Treasury address on {chain} ({chainId})
        </label>
        <input
          id={inputId}
          name="address"
          required
          spellCheck={false}
          autoComplete="off"
          placeholder="0x…"
          size={44}
          defaultValue={current?.address ?? ""}
          aria-invalid={Boolean(error)}
          aria-describedby={`${inputId}-mode${error ? ` ${inputId}-error` : ""}`}
        />
        <span id={`${inputId}-mode`} className="muted">
          {current === null
            ? "Not set: payments on this chain are not swept."
            : current.mode === "treasury"
              ? "Mode: treasury — confirmed payments are swept to this address."
              : "Mode: balance — saving an address switches this chain to treasury mode."}
        </span>
        {error ? (
          <span id={`${inputId}-error`} className="form-error" role="alert">
            {error}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : `Save ${chain} treasury`}
      </button>
      {state.saved ? (
        <p className="notice-ok" role="status">
          Treasury for {chain} saved: <code>{state.address}</code>
        </p>
      ) : null}
    </form>
  );
}
