import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { getDashboardOverview, PAYMENT_STATUSES } from "@/lib/dashboard/get-dashboard-overview";
import { getFiatTotals } from "@/lib/dashboard/get-fiat-totals";
import { getReceivedVolume } from "@/lib/dashboard/get-received-volume";
import { listOpenChainIncidents } from "@/lib/health/chain-incidents";
import { getHealth } from "@/lib/health/get-health";
import { getQuoteSettings } from "@/lib/merchants/quote-settings";
import styles from "../dashboard.module.css";
import { PaymentsTable } from "../payments-table";
import { TableScroll } from "../table-scroll";
import { acknowledgeIncidentsAction } from "./actions";
import { FiatTotals } from "./fiat-totals";
import { VolumeChart } from "./volume-chart";

export const metadata = { title: "Overview" };

export default async function DashboardOverviewPage() {
  const { db, actor, merchant, role } = await requireMerchantSession("/dashboard");
  const chains = configuredChains();
  const [overview, volume, health, incidents, totals] = await Promise.all([
    getDashboardOverview(db, merchant.id, publicUrl()),
    getReceivedVolume(db, merchant.id),
    getHealth({ db }),
    listOpenChainIncidents(db, { merchantId: merchant.id }),
    getQuoteSettings({ db, actor, chains }, merchant.id).then((settings) =>
      getFiatTotals({ db, chains }, merchant.id, settings.display_currency),
    ),
  ]);
  return (
    <>
      <div className={styles.pageHeader}>
        <h1>Overview</h1>
        {hasPermission(actor, "payments:write") ? (
          <Link className="button" href="/dashboard/payments/new">
            New payment
          </Link>
        ) : null}
      </div>
      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading" className="visually-hidden">
          Payments by status
        </h2>
        <ul className={styles.stats}>
          <li className={styles.stat}>
            <span className={styles.statValue} data-testid="count-total">
              {overview.total}
            </span>
            <span className="muted">All payments</span>
          </li>
          {PAYMENT_STATUSES.map((status) => (
            <li key={status} className={styles.stat}>
              <Link
                href={`/dashboard/payments?status=${status}`}
                className={styles.statValue}
                data-testid={`count-${status}`}
              >
                {overview.countsByStatus[status]}
              </Link>
              <span className="muted">{status}</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="volume-heading">
        <h2 id="volume-heading">Received volume</h2>
        <FiatTotals totals={totals} />
        <VolumeChart volume={volume} />
      </section>
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent payments</h2>
        <PaymentsTable payments={overview.recentPayments} caption="Recent payments" />
        <p>
          <Link href="/dashboard/payments">All payments →</Link>
        </p>
      </section>
      {incidents.length > 0 && (
        <section role="alert" className={styles.noticeBad} data-testid="chain-incidents">
          <h2>Chain incidents</h2>
          <ul>
            {incidents.map((incident) => (
              <li key={incident.id}>
                {incident.created_at} · {incident.chain} · {incident.kind.replaceAll("_", " ")} (depth{" "}
                {incident.depth}): {incident.detail}
                {incident.payment_id && (
                  <>
                    {" "}
                    <Link href={`/dashboard/payments/${incident.payment_id}`}>{incident.payment_id}</Link>
                  </>
                )}
              </li>
            ))}
          </ul>
          {(role === "owner" || role === "admin") && (
            <form action={acknowledgeIncidentsAction}>
              <p>
                Acknowledging hides these incidents for this account only; a chain-wide incident stays on the
                gateway's health until the operator acknowledges it (
                <code>npm run admin -- incidents ack</code>).
              </p>
              <button type="submit" className="button">
                Acknowledge
              </button>
            </form>
          )}
        </section>
      )}
      {health.settlement
        .filter((chain) => chain.status === "paused")
        .map((chain) => (
          <p
            key={chain.chain}
            role="alert"
            className={styles.noticeBad}
            data-testid={`sweeps-paused-${chain.chain}`}
          >
            Settlement on {chain.chain} is paused ({chain.paused_sweeps} of {chain.open_sweeps} open sweeps):{" "}
            {chain.last_error}
          </p>
        ))}
      <section className="card" aria-labelledby="chains-heading">
        <h2 id="chains-heading">Chains</h2>
        <TableScroll label="Chains table">
          <table>
            <thead>
              <tr>
                <th scope="col">Chain</th>
                <th scope="col">Status</th>
                <th scope="col">Head block</th>
                <th scope="col">Scanned block</th>
                <th scope="col">Lag (blocks)</th>
                <th scope="col">RPC nodes</th>
              </tr>
            </thead>
            <tbody>
              {health.chains.map((chain) => (
                <tr key={chain.name} data-testid={`chain-${chain.name}`}>
                  <td>
                    {chain.name} <span className="muted">({chain.chain_id})</span>
                  </td>
                  <td>{chain.status}</td>
                  <td>{chain.head_block ?? "—"}</td>
                  <td>{chain.last_scanned_block ?? "—"}</td>
                  <td>{chain.lag_blocks ?? "—"}</td>
                  <td data-testid={`chain-${chain.name}-rpc`}>
                    {chain.rpc.map((node) => (
                      <div key={node.index} title={node.last_error ?? undefined}>
                        #{node.index} {node.host}: {rpcNodeLabel(node)}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
    </>
  );
}

/** One RPC URL's state in words: its breaker, or why it is not read from. */
function rpcNodeLabel(node: { state: string; demoted: string | null; latency_ms: number | null }): string {
  if (node.demoted === "wrong_chain") return "refused (another chain)";
  if (node.demoted === "fork") return "demoted (another fork)";
  if (node.demoted === "lagging") return "demoted (behind)";
  if (node.state === "open") return "skipped (failing)";
  if (node.state === "unknown") return "not used yet";
  return node.latency_ms === null ? "ok" : `ok, ${node.latency_ms} ms`;
}
