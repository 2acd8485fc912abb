"use client";

import { useActionState } from "react";
import { CopyButton } from "../../_components/copy-button";
import { type CreateApiKeyState, createApiKeyAction } from "./actions";

const INITIAL: CreateApiKeyState = { error: null, created: null };

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, INITIAL);
  return (
    <>
      <form action={action} className="inline-form">
        <div className="field">
          <label htmlFor="key-name">Key name</label>
          <input id="key-name" name="name" required maxLength={100} placeholder="production server" />
        </div>
        <div className="field">
          <label htmlFor="key-approve-payouts">
            <input id="key-approve-payouts" name="approvePayouts" type="checkbox" /> Can approve payouts
          </label>
          <p className="muted">
            Lets this key approve and reject payouts (<code>payouts:approve</code>). Leave it off for
            integration keys: a leaked key could then create a payout but not approve it.
          </p>
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Creating…" : "Create API key"}
        </button>
      </form>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.created ? (
        <div className="secret-box" role="status">
          <p>
            <strong>{state.created.name}</strong>: copy this key now. It is shown only once and cannot be
            recovered.
          </p>
          <p className="copy-row">
            <code data-testid="new-api-key">{state.created.apiKey}</code>
            <CopyButton value={state.created.apiKey} label="Copy API key" />
          </p>
        </div>
      ) : null}
    </>
  );
}
