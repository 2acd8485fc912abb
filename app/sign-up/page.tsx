import type { Metadata } from "next";
import Link from "next/link";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create an account" };

export default function SignUpPage() {
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="sign-up-heading">
        <h1 id="sign-up-heading">Create a merchant account</h1>
        <SignUpForm />
        <p className="muted">
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      </section>
    </main>
  );
}
