"use server";

import { headers } from "next/headers";
import { signUp, signUpRateLimiter, ZSignUp } from "@/lib/auth/sign-up";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";

export type SignUpResult =
  | { ok: true }
  | { ok: false; error: string; fieldErrors?: Partial<Record<"name" | "email" | "password", string>> };

export async function signUpAction(form: FormData): Promise<SignUpResult> {
  if (signUpRateLimiter.take(clientIp(await headers())) > 0)
    return { ok: false, error: "Too many sign-ups from your network. Try again later." };
  const parsed = ZSignUp.safeParse({
    name: form.get("name"),
    email: form.get("email"),
    password: form.get("password"),
  });
  if (!parsed.success) {
    const fieldErrors: Partial<Record<"name" | "email" | "password", string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "name" || field === "email" || field === "password") && !fieldErrors[field])
        fieldErrors[field] = issue.message;
    }
    return { ok: false, error: "Check the highlighted fields.", fieldErrors };
  }
  try {
    await signUp(parsed.data);
    return { ok: true };
  } catch (error) {
    if (error instanceof AppError && (error.code === "conflict" || error.code === "forbidden"))
      return { ok: false, error: error.message };
    throw error;
  }
}
