import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { allTokenSymbols, chainOptions } from "@/lib/dashboard/chain-options";
import { parseListQuery } from "@/lib/dashboard/list-query";
import { listPayouts, ZListPayoutsQuery } from "@/lib/payouts/list-payouts";
import { PAYOUT_STATUSES } from "@/lib/payouts/payout-object";
import styles from "../../dashboard.module.css";
import { EmptyList, hasFilters, ListPagination } from "../../list-pagination";
import { LiveRefresh } from "../../live-refresh";
import { MoneyFilters } from "../../money-filters";
import { PayoutsTable } from "../../payouts-table";

export const metadata = { title: "Payouts" };

const PATH = "/dashboard/payouts";

export default async function PayoutsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor, merchant } = await requireMerchantSession(PATH);
  const chains = configuredChains();
  const { query, filters } = parseListQuery(ZListPayoutsQuery, await searchParams, [
    "chain",
    "token",
    "status",
    "starting_after",
  ]);
  const page = await listPayouts({ db, actor, chains }, merchant.id, query);
  return (
    <>
      <LiveRefresh />
      <div className={styles.pageHeader}>
        <h1>Payouts</h1>
        {hasPermission(actor, "payouts:write") ? (
          <Link className="button" href="/dashboard/payouts/new">
            New payout
          </Link>
        ) : null}
      </div>
      <p className="muted">
        Payouts and refunds are paid from your balance. Payouts above your auto-approval threshold wait for
        the owner&apos;s approval; see <Link href="/dashboard/settings">Settings</Link> for limits.
      </p>
      <MoneyFilters
        label="Filter payouts"
        action={PATH}
        chains={chainOptions(chains)}
        tokens={allTokenSymbols(chains)}
        current={filters}
        choice={{ name: "status", label: "Status", values: PAYOUT_STATUSES }}
      />
      <section className="card" aria-label="Payouts list">
        <PayoutsTable
          payouts={page.data}
          caption="Payouts"
          empty={<EmptyList noun="payouts" path={PATH} filtered={hasFilters(filters)} />}
        />
        <ListPagination path={PATH} filters={filters} nextCursor={page.next_cursor} />
      </section>
    </>
  );
}
