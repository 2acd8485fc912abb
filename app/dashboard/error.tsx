"use client";

export default function DashboardError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <section className="card" role="alert">
      <h1>Something went wrong</h1>
      <p className="muted">
        This page could not be loaded{error.digest ? ` (reference ${error.digest})` : ""}. Try again in a
        moment.
      </p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
