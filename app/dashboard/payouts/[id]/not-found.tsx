import Link from "next/link";

export default function PayoutNotFound() {
  return (
    <section className="card">
      <h1>Payout not found</h1>
      <p className="muted">There is no payout with this id in your account.</p>
      <Link href="/dashboard/payouts">Back to payouts</Link>
    </section>
  );
}
