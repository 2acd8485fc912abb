import Link from "next/link";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { publicUrl } from "@/lib/config/public-url";
import { getDashboardOverview, PAYMENT_STATUSES } from "@/lib/dashboard/get-dashboard-overview";
import styles from "../dashboard.module.css";
import { PaymentsTable } from "../payments-table";

export const metadata = { title: "Overview" };

export default async function DashboardOverviewPage() {
  const { db, merchant } = await requireMerchantSession("/dashboard");
  const overview = await getDashboardOverview(db, merchant.id, publicUrl());
  return (
    <>
      <div className={styles.pageHeader}>
        <h1>Overview</h1>
        <Link className="button" href="/dashboard/payments/new">
          New payment
        </Link>
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
      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent payments</h2>
        <PaymentsTable payments={overview.recentPayments} caption="Recent payments" />
        <p>
          <Link href="/dashboard/payments">All payments →</Link>
        </p>
      </section>
    </>
  );
}
