import Link from "next/link";
import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { listBalances } from "@/lib/balances/list-balances";
import { configuredChains } from "@/lib/config/chains";
import { chainOptions } from "@/lib/dashboard/chain-options";
import { NewPayoutForm } from "./new-payout-form";

export const metadata = { title: "New payout" };

export default async function NewPayoutPage() {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/payouts/new");
  const chains = configuredChains();
  const balances = await listBalances({ db, actor, chains }, merchant.id, {});
  return (
    <>
      <p>
        <Link href="/dashboard/payouts">← Payouts</Link>
      </p>
      <h1>New payout</h1>
      <section className="card" aria-labelledby="payout-balances-heading">
        <h2 id="payout-balances-heading">Available to pay out</h2>
        {balances.data.length === 0 ? (
          <p className="muted">
            Nothing yet: payouts spend the balance of chains in balance settlement mode (
            <Link href="/dashboard/settings">Settings</Link>).
          </p>
        ) : (
          <ul data-testid="payout-available">
            {balances.data.map((balance) => (
              <li key={`${balance.chain}:${balance.token.symbol}`}>
                {balance.available} {balance.token.symbol} on {balance.chain}
              </li>
            ))}
          </ul>
        )}
        <p className="muted">
          The network fee of a payout is paid in the chain&apos;s native coin from your balance.
        </p>
      </section>
      <section className="card">
        <NewPayoutForm chains={chainOptions(chains)} />
      </section>
    </>
  );
}
