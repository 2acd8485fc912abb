import Link from "next/link";

export default function WebhookEndpointNotFound() {
  return (
    <section className="card">
      <h1>Webhook endpoint not found</h1>
      <p className="muted">There is no webhook endpoint with this id in your account.</p>
      <Link href="/dashboard/webhooks">Back to webhooks</Link>
    </section>
  );
}
