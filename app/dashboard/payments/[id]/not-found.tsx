import Link from "next/link";

export default function PaymentNotFound() {
  return (
    <section className="card">
      <h1>Payment not found</h1>
      <p className="muted">There is no payment with this id in your account.</p>
      <Link href="/dashboard/payments">Back to payments</Link>
    </section>
  );
}
