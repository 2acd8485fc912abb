"use client";

import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";

export type FormFailure<Field extends string> = {
  ok: false;
  error: string;
  fieldErrors?: Partial<Record<Field, string>>;
};

/**
 * A form that creates an account through a server action, then signs it in with the password typed
 * (sign-up, accepting an invitation) and opens the dashboard. The action names the email when the
 * form has none of its own.
 */
export function useSubmitThenSignIn<Field extends string>(
  action: (form: FormData) => Promise<{ ok: true; email?: string } | FormFailure<Field>>,
  unavailable: string,
) {
  const router = useRouter();
  const [failure, setFailure] = useState<FormFailure<Field> | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setFailure(null);
    try {
      const result = await action(form);
      if (!result.ok) {
        setFailure(result);
        setPending(false);
        return;
      }
      const session = await signIn("credentials", {
        email: result.email ?? String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      router.replace(session?.ok && !session.error ? "/dashboard" : "/sign-in");
      router.refresh();
    } catch {
      setFailure({ ok: false, error: unavailable });
      setPending(false);
    }
  };
  const fieldError = (field: Field) => failure?.fieldErrors?.[field];
  return { failure, pending, fieldError, submit: (event: FormEvent<HTMLFormElement>) => void submit(event) };
}
