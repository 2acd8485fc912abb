import type { Metadata } from "next";
import Link from "next/link";
import { SIGN_UP_CLOSED, signUpOpen } from "@/lib/auth/sign-up";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create an account" };
// Whether sign-up is open is read from this server's configuration on each request, not at build.
export const dynamic = "force-dynamic";

export default function SignUpPage() {
  const open = signUpOpen();
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="sign-up-heading">
        <h1 id="sign-up-heading">{open ? "Create a merchant account" : "Sign-up is closed"}</h1>
        {open ? <SignUpForm /> : <p role="status">{SIGN_UP_CLOSED}</p>}
        <p className="muted">
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      </section>
    </main>
  );
}
