import { getHealth } from "@/lib/health/get-health";

export const dynamic = "force-dynamic";

const BADGE = {
  ok: "badge-ok",
  degraded: "badge-warn",
  down: "badge-bad",
  stale: "badge-warn",
  error: "badge-bad",
  unknown: "badge-warn",
} as const;

export default async function HomePage() {
  const health = await getHealth();
  return (
    <main className="container">
      <h1>cTrip Pay</h1>
      <p className="muted">
        Self-hosted payments for EVM chains: a deposit address per payment, confirmations counted and reorgs
        handled, funds swept to your treasury, signed webhooks for your backend.
      </p>

      <section className="card" aria-labelledby="status-heading">
        <h2 id="status-heading">
          Gateway status{" "}
          <span className={`badge ${BADGE[health.status]}`} data-testid="gateway-status">
            {health.status}
          </span>
        </h2>
        <p>
          Database: <strong data-testid="database-status">{health.database.status}</strong>
        </p>
        <table>
          <thead>
            <tr>
              <th>Chain</th>
              <th>Chain id</th>
              <th>Status</th>
              <th>Head block</th>
            </tr>
          </thead>
          <tbody>
            {health.chains.map((chain) => (
              <tr key={chain.name} data-testid={`chain-${chain.name}`}>
                <td>{chain.name}</td>
                <td>{chain.chain_id}</td>
                <td>
                  <span className={`badge ${BADGE[chain.status]}`}>{chain.status}</span>
                </td>
                <td>{chain.head_block ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Machine-readable: <a href="/api/health">/api/health</a>
        </p>
      </section>
    </main>
  );
}
