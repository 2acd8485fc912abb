"use client";

import { useActionState } from "react";
import type { TApiKeyPermission } from "@/lib/access/permissions";
import { CopyButton } from "../../_components/copy-button";
import { type CreateApiKeyState, createApiKeyAction } from "./actions";

const INITIAL: CreateApiKeyState = { error: null, created: null };

/**
 * Name and permissions of a new key. Only the permissions the member holds are offered (a member
 * cannot hand out more than it has); the default set is pre-checked.
 */
export function CreateApiKeyForm({
  offered,
  defaults,
}: {
  offered: readonly TApiKeyPermission[];
  defaults: readonly TApiKeyPermission[];
}) {
  const [state, action, pending] = useActionState(createApiKeyAction, INITIAL);
  return (
    <>
      <form action={action} className="inline-form">
        <div className="field">
          <label htmlFor="key-name">Key name</label>
          <input id="key-name" name="name" required maxLength={100} placeholder="production server" />
        </div>
        <fieldset className="field">
          <legend>Permissions</legend>
          <input type="hidden" name="permissionsOffered" value="1" />
          {offered.map((permission) => (
            <label key={permission} htmlFor={`key-permission-${permission}`}>
              <input
                id={`key-permission-${permission}`}
                name="permissions"
                type="checkbox"
                value={permission}
                defaultChecked={defaults.includes(permission)}
              />{" "}
              <code>{permission}</code>
            </label>
          ))}
          <p className="muted">
            Leave <code>payouts:approve</code> and <code>settings:write</code> off for integration keys: a
            leaked key could then neither approve a payout nor redirect funds.
          </p>
        </fieldset>
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
