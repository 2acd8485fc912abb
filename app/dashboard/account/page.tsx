import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { ChangePasswordForm } from "./change-password-form";

export const metadata = { title: "Account" };

export default async function AccountPage() {
  const { email, role } = await requireMerchantSession("/dashboard/account");
  return (
    <>
      <h1>Account</h1>
      <p className="muted">
        Signed in as {email} ({role}).
      </p>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <p className="muted">
          Changing your password signs you out everywhere, this browser included: sign in again with the new
          one.
        </p>
        <ChangePasswordForm />
      </section>
    </>
  );
}
