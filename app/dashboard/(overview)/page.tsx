import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { publicUrl } from "@/lib/config/public-url";
import { getDashboardOverview, PAYMENT_STATUSES } from "@/lib/dashboard/get-dashboard-overview";
import { getReceivedVolume } from "@/lib/dashboard/get-received-volume";
import { getHealth } from "@/lib/health/get-health";
import styles from "../dashboard.module.css";
import { PaymentsTable } from "../payments-table";
import { VolumeChart } from "./volume-chart";

export const metadata = { title: "Overview" };

export default async function DashboardOverviewPage() {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard");
  const [overview, volume, health] = await Promise.all([
    getDashboardOverview(db, merchant.id, publicUrl()),
    getReceivedVolume(db, merchant.id),
    getHealth({ db }),
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
        <VolumeChart volume={volume} />
      </section>
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent payments</h2>
        <PaymentsTable payments={overview.recentPayments} caption="Recent payments" />
        <p>
          <Link href="/dashboard/payments">All payments →</Link>
        </p>
      </section>
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
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Chain</th>
                <th scope="col">Status</th>
                <th scope="col">Head block</th>
                <th scope="col">Scanned block</th>
                <th scope="col">Lag (blocks)</th>
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
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
