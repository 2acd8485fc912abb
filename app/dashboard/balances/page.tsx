import Link from "next/link";
import { hasPermission } from "@/lib/access/actor";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { BALANCE_TRANSACTION_TYPES } from "@/lib/balances/balance-object";
import {
  listBalanceTransactions,
  ZListBalanceTransactionsQuery,
} from "@/lib/balances/list-balance-transactions";
import { listBalances } from "@/lib/balances/list-balances";
import { configuredChains } from "@/lib/config/chains";
import { allTokenSymbols, chainOptions } from "@/lib/dashboard/chain-options";
import { parseListQuery } from "@/lib/dashboard/list-query";
import { BalanceTransactionsTable } from "../balance-transactions-table";
import styles from "../dashboard.module.css";
import { EmptyList, hasFilters, ListPagination } from "../list-pagination";
import { MoneyFilters } from "../money-filters";

export const metadata = { title: "Balances" };

const PATH = "/dashboard/balances";

export default async function BalancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor, merchant } = await requireMerchantSession(PATH);
  const chains = configuredChains();
  const { query, filters } = parseListQuery(ZListBalanceTransactionsQuery, await searchParams, [
    "chain",
    "token",
    "type",
    "starting_after",
  ]);
  const [balances, ledger] = await Promise.all([
    listBalances({ db, actor, chains }, merchant.id, {}),
    listBalanceTransactions({ db, actor, chains }, merchant.id, query),
  ]);
  return (
    <>
      <div className={styles.pageHeader}>
        <h1>Balances</h1>
        {hasPermission(actor, "payouts:write") ? (
          <Link className="button" href="/dashboard/payouts/new">
            New payout
          </Link>
        ) : null}
      </div>
      <section className="card" aria-labelledby="available-heading">
        <h2 id="available-heading">Available</h2>
        {balances.data.length === 0 ? (
          <p className="muted">
            No balance yet. Payments are credited to your balance on chains in balance settlement mode; choose
            the mode per chain in <Link href="/dashboard/settings">Settings</Link>.
          </p>
        ) : (
          <ul className={styles.stats}>
            {balances.data.map((balance) => (
              <li
                key={`${balance.chain}:${balance.token.symbol}`}
                className={styles.stat}
                data-testid={`balance-${balance.chain}-${balance.token.symbol}`}
              >
                <span className="muted">
                  {balance.token.symbol} on {balance.chain}
                </span>
                <span className={styles.balanceValue} data-testid="balance-available">
                  {balance.available} {balance.token.symbol}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Balance transactions</h2>
        <MoneyFilters
          label="Filter balance transactions"
          action={PATH}
          chains={chainOptions(chains)}
          tokens={allTokenSymbols(chains)}
          current={filters}
          choice={{ name: "type", label: "Type", values: BALANCE_TRANSACTION_TYPES }}
        />
        <BalanceTransactionsTable
          transactions={ledger.data}
          caption="Balance transactions"
          empty={<EmptyList noun="balance transactions" path={PATH} filtered={hasFilters(filters)} />}
        />
        <ListPagination path={PATH} filters={filters} nextCursor={ledger.next_cursor} />
      </section>
    </>
  );
}
