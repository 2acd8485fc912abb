"use client";

import { useSubmitThenSignIn } from "../_components/use-submit-then-sign-in";
import { signUpAction } from "./actions";

export function SignUpForm() {
  const { failure, pending, fieldError, submit } = useSubmitThenSignIn<"name" | "email" | "password">(
    signUpAction,
    "Sign-up is unavailable right now. Try again in a moment.",
  );
  const describedBy = (field: "name" | "email" | "password") =>
    fieldError(field) ? `${field}-error` : undefined;

  return (
    <form onSubmit={submit}>
      <div className="field">
        <label htmlFor="name">Business name</label>
        <input
          id="name"
          name="name"
          autoComplete="organization"
          required
          maxLength={100}
          aria-invalid={Boolean(fieldError("name"))}
          aria-describedby={describedBy("name")}
        />
        {fieldError("name") ? (
          <span id="name-error" className="form-error">
            {fieldError("name")}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          required
          aria-invalid={Boolean(fieldError("email"))}
          aria-describedby={describedBy("email")}
        />
        {fieldError("email") ? (
          <span id="email-error" className="form-error">
            {fieldError("email")}
          </span>
        ) : null}
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
          aria-describedby={describedBy("password")}
        />
        {fieldError("password") ? (
          <span id="password-error" className="form-error">
            {fieldError("password")}
          </span>
        ) : null}
      </div>
      {failure ? (
        <p className="form-error" role="alert">
          {failure.error}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </button>
    </form>
  );
}
