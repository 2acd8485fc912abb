export default function DashboardLoading() {
  return (
    <p className="muted" role="status" aria-busy="true">
      Loading…
    </p>
  );
}
