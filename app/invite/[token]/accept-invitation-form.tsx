"use client";

import { useSubmitThenSignIn } from "../../_components/use-submit-then-sign-in";
import { acceptInvitationAction } from "./actions";

/** Name and password for the invited email; on success the new member is signed in. */
export function AcceptInvitationForm({ token, email }: { token: string; email: string }) {
  const { failure, pending, fieldError, submit } = useSubmitThenSignIn<"name" | "password">(
    acceptInvitationAction,
    "Joining is unavailable right now. Try again in a moment.",
  );

  return (
    <form onSubmit={submit}>
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="username" autoComplete="username" value={email} />
      <div className="field">
        <label htmlFor="name">Your name</label>
        <input
          id="name"
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          aria-invalid={Boolean(fieldError("name"))}
        />
        {fieldError("name") ? <span className="form-error">{fieldError("name")}</span> : null}
      </div>
      <div className="field">
        <label htmlFor="password">Password (at least 10 characters)</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          aria-invalid={Boolean(fieldError("password"))}
        />
        {fieldError("password") ? <span className="form-error">{fieldError("password")}</span> : null}
      </div>
      {failure ? (
        <p className="form-error" role="alert">
          {failure.error}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Joining…" : "Join the team"}
      </button>
    </form>
  );
}
