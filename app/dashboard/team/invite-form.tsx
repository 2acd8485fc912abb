"use client";

import { useActionState } from "react";
import { CopyButton } from "../../_components/copy-button";
import { type InviteMemberState, inviteMemberAction } from "./actions";

const INITIAL: InviteMemberState = { error: null, fieldErrors: {}, invited: null };

export function InviteForm({ roles }: { roles: readonly string[] }) {
  const [state, action, pending] = useActionState(inviteMemberAction, INITIAL);
  return (
    <>
      <form action={action} className="inline-form">
        <div className="field">
          <label htmlFor="invite-email">Email</label>
          <input id="invite-email" name="email" type="email" required maxLength={320} />
          {state.fieldErrors.email ? <span className="form-error">{state.fieldErrors.email}</span> : null}
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" name="role" defaultValue="viewer">
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Inviting…" : "Invite member"}
        </button>
      </form>
      {state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.invited ? (
        <div className="secret-box" role="status">
          <p>
            Send this link to <strong>{state.invited.email}</strong> ({state.invited.role}). It is shown only
            once, works once and expires in 7 days.
          </p>
          <p className="copy-row">
            <code data-testid="invite-link">{state.invited.url}</code>
            <CopyButton value={state.invited.url} label="Copy invitation link" />
          </p>
        </div>
      ) : null}
    </>
  );
}
