"use client";

import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { type SignUpResult, signUpAction } from "./actions";

type Failure = Extract<SignUpResult, { ok: false }>;

export function SignUpForm() {
  const router = useRouter();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setFailure(null);
    try {
      const result = await signUpAction(form);
      if (!result.ok) {
        setFailure(result);
        setPending(false);
        return;
      }
      const session = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      if (!session?.ok || session.error) {
        router.replace("/sign-in");
        return;
      }
      router.replace("/dashboard");
      router.refresh();
    } catch {
      setFailure({ ok: false, error: "Sign-up is unavailable right now. Try again in a moment." });
      setPending(false);
    }
  };

  const fieldError = (field: "name" | "email" | "password") => failure?.fieldErrors?.[field];
  const describedBy = (field: "name" | "email" | "password") =>
    fieldError(field) ? `${field}-error` : undefined;

  return (
    <form onSubmit={(event) => void submit(event)}>
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
