import type { Metadata } from "next";
import Link from "next/link";
import { findInvitationByToken } from "@/lib/team/accept-invitation";
import { AcceptInvitationForm } from "./accept-invitation-form";

export const metadata: Metadata = { title: "Join a team", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitationByToken(token);
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="invite-heading">
        {invitation ? (
          <>
            <h1 id="invite-heading">Join {invitation.merchantName}</h1>
            <p>
              You are invited as <strong>{invitation.role}</strong> with the email{" "}
              <strong data-testid="invited-email">{invitation.email}</strong>. Choose your name and a password
              to accept.
            </p>
            <AcceptInvitationForm token={token} email={invitation.email} />
          </>
        ) : (
          <>
            <h1 id="invite-heading">Invitation not valid</h1>
            <p role="alert">
              This invitation link is not valid: it was already used, revoked, or has expired. Ask the owner
              for a new one.
            </p>
            <p>
              <Link href="/sign-in">Sign in</Link>
            </p>
          </>
        )}
      </section>
    </main>
  );
}
