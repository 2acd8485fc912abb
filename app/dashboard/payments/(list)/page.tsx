import Link from "next/link";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { publicUrl } from "@/lib/config/public-url";
import { PAYMENT_STATUSES } from "@/lib/dashboard/get-dashboard-overview";
import { searchPayments, ZDashboardPaymentsQuery } from "@/lib/dashboard/search-payments";
import styles from "../../dashboard.module.css";
import { PaymentsTable } from "../../payments-table";

export const metadata = { title: "Payments" };

export default async function PaymentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, merchant } = await requireMerchantSession("/dashboard/payments");
  const query = ZDashboardPaymentsQuery.parse(await searchParams);
  const page = await searchPayments(db, merchant.id, query, publicUrl());
  const next = new URLSearchParams();
  if (query.status) next.set("status", query.status);
  if (query.q) next.set("q", query.q);
  const exportQuery = new URLSearchParams(next);
  if (page.next_cursor) next.set("after", page.next_cursor);
  return (
    <>
      <div className={styles.pageHeader}>
        <h1>Payments</h1>
        <Link className="button" href="/dashboard/payments/new">
          New payment
        </Link>
      </div>
      <form className={styles.filters} aria-label="Search payments" action="/dashboard/payments">
        <div className="field">
          <label htmlFor="q">Search by payment id, address or order id</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={query.status ?? ""}>
            <option value="">All</option>
            {PAYMENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Apply
        </button>
        <a
          className="button button-secondary"
          href={`/dashboard/payments/export.csv?${exportQuery}`}
          download
        >
          Export CSV
        </a>
      </form>
      <section className="card" aria-label="Payments list">
        <PaymentsTable payments={page.data} caption="Payments" />
        <nav aria-label="Pagination" className={styles.pagination}>
          {query.after ? (
            <Link
              href={`/dashboard/payments?${new URLSearchParams({ ...(query.status ? { status: query.status } : {}), ...(query.q ? { q: query.q } : {}) })}`}
            >
              ← First page
            </Link>
          ) : null}
          {page.has_more ? <Link href={`/dashboard/payments?${next}`}>Next page →</Link> : null}
        </nav>
      </section>
    </>
  );
}
