import type { Metadata } from "next";
import Link from "next/link";
import { safeCallbackPath } from "@/lib/auth/safe-callback-path";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { callbackUrl } = await searchParams;
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">Sign in to cTrip Pay</h1>
        <SignInForm callbackPath={safeCallbackPath(callbackUrl)} />
        <p className="muted">
          New here? <Link href="/sign-up">Create a merchant account</Link>
        </p>
      </section>
    </main>
  );
}
