import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { publicUrl } from "@/lib/config/public-url";
import { allTokenSymbols } from "@/lib/dashboard/chain-options";
import { PAYMENT_STATUSES } from "@/lib/dashboard/get-dashboard-overview";
import { dateRangeError, searchPayments, ZDashboardPaymentsQuery } from "@/lib/dashboard/search-payments";
import styles from "../../dashboard.module.css";
import { EmptyList, ListPagination } from "../../list-pagination";
import { LiveRefresh } from "../../live-refresh";
import { PaymentsTable } from "../../payments-table";

export const metadata = { title: "Payments" };

const PATH = "/dashboard/payments";

export default async function PaymentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/payments");
  const query = ZDashboardPaymentsQuery.parse(await searchParams);
  // "From" after "to" would silently match nothing: the field says so and nothing is searched.
  const dateError = dateRangeError(query);
  const page = dateError
    ? { data: [], next_cursor: null }
    : await searchPayments(db, merchant.id, query, publicUrl());
  const filters = new URLSearchParams();
  for (const key of ["status", "q", "chain", "token", "from", "to"] as const) {
    const value = query[key];
    if (value) filters.set(key, value);
  }
  const chains = configuredChains();
  const tokens = allTokenSymbols(chains);
  const exportQuery = new URLSearchParams(filters);
  const filtered = filters.size > 0;
  if (query.after) filters.set("after", query.after);
  return (
    <>
      <LiveRefresh />
      <div className={styles.pageHeader}>
        <h1>Payments</h1>
        {hasPermission(actor, "payments:write") ? (
          <Link className="button" href="/dashboard/payments/new">
            New payment
          </Link>
        ) : null}
      </div>
      <form className={styles.filters} aria-label="Search payments" action="/dashboard/payments">
        <div className="field">
          <label htmlFor="q">Search by payment id, address, order id or tx hash</label>
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
        <div className="field">
          <label htmlFor="chain">Chain</label>
          <select id="chain" name="chain" defaultValue={query.chain ?? ""}>
            <option value="">All</option>
            {chains.map((chain) => (
              <option key={chain.name} value={chain.name}>
                {chain.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="token">Token</label>
          <select id="token" name="token" defaultValue={query.token ?? ""}>
            <option value="">All</option>
            {tokens.map((symbol) => (
              <option key={symbol} value={symbol}>
                {symbol}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="from">Created from (UTC)</label>
          <input
            id="from"
            name="from"
            type="date"
            defaultValue={query.from ?? ""}
            aria-invalid={dateError ? true : undefined}
            aria-describedby={dateError ? "from-error" : undefined}
          />
          {dateError ? (
            <span id="from-error" className="form-error">
              {dateError}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="to">Created to (UTC)</label>
          <input id="to" name="to" type="date" defaultValue={query.to ?? ""} />
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
        <PaymentsTable
          payments={page.data}
          caption="Payments"
          empty={<EmptyList noun="payments" path={PATH} filtered={filtered} />}
        />
        <ListPagination path={PATH} filters={filters} nextCursor={page.next_cursor} cursorParam="after" />
      </section>
    </>
  );
}
