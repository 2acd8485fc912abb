"use client";

import { useActionState } from "react";
import { FieldError, FormStatus, fieldErrorProps } from "../field-error";
import { type ChangePasswordState, changePasswordAction } from "./actions";

const INITIAL: ChangePasswordState = { error: null, fieldErrors: {} };

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, INITIAL);
  return (
    <form action={action}>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="current_password">Current password</label>
          <input
            id="current_password"
            name="current_password"
            type="password"
            autoComplete="current-password"
            required
            {...fieldErrorProps(state.fieldErrors, "current_password")}
          />
          <FieldError errors={state.fieldErrors} field="current_password" />
        </div>
        <div className="field">
          <label htmlFor="new_password">New password (at least 10 characters)</label>
          <input
            id="new_password"
            name="new_password"
            type="password"
            autoComplete="new-password"
            minLength={10}
            maxLength={200}
            required
            {...fieldErrorProps(state.fieldErrors, "new_password")}
          />
          <FieldError errors={state.fieldErrors} field="new_password" />
        </div>
      </div>
      <FormStatus error={state.error} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
