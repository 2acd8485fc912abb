"use client";

import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { type AcceptInvitationResult, acceptInvitationAction } from "./actions";

type Failure = Extract<AcceptInvitationResult, { ok: false }>;

/** Name and password for the invited email; on success the new member is signed in. */
export function AcceptInvitationForm({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setFailure(null);
    try {
      const result = await acceptInvitationAction(form);
      if (!result.ok) {
        setFailure(result);
        setPending(false);
        return;
      }
      const session = await signIn("credentials", {
        email: result.email,
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      router.replace(session?.ok && !session.error ? "/dashboard" : "/sign-in");
      router.refresh();
    } catch {
      setFailure({ ok: false, error: "Joining is unavailable right now. Try again in a moment." });
      setPending(false);
    }
  };

  const fieldError = (field: "name" | "password") => failure?.fieldErrors?.[field];

  return (
    <form onSubmit={(event) => void submit(event)}>
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
