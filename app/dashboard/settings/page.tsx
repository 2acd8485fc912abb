import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { chainOptions } from "@/lib/dashboard/chain-options";
import { getMerchantSettings } from "@/lib/merchants/merchant-settings";
import { listPayoutLimits } from "@/lib/payouts/payout-limits";
import { listTreasurySettings } from "@/lib/settlement/list-treasury-settings";
import { PayoutLimitsForm } from "./payout-limits-form";
import { SettingsForm } from "./settings-form";
import { TreasuryForm } from "./treasury-form";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/settings");
  const chains = configuredChains();
  const [settings, treasury, limits] = await Promise.all([
    getMerchantSettings(db, merchant.id),
    listTreasurySettings({ db, actor }, merchant.id),
    listPayoutLimits({ db, actor, chains }, merchant.id),
  ]);
  return (
    <>
      <h1>Settings</h1>
      <section className="card" aria-labelledby="branding-heading">
        <h2 id="branding-heading">Business and checkout</h2>
        <SettingsForm settings={settings} />
      </section>
      <section className="card" aria-labelledby="treasury-heading">
        <h2 id="treasury-heading">Settlement per chain</h2>
        <p className="muted">
          In treasury mode, confirmed payments are swept from their deposit address to your treasury, an
          address you control (a hardware wallet or a multisig) that can receive on that chain; the gateway
          then holds nothing for you. In balance mode they are swept to your hot wallet on this gateway and
          credited to your balance, from which you make payouts and refunds.
        </p>
        {chains.map((chain) => {
          const current = treasury.data.find((setting) => setting.chain === chain.name) ?? null;
          return (
            <TreasuryForm
              key={chain.name}
              chain={chain.name}
              chainId={chain.chainId}
              current={current ? { mode: current.mode, address: current.address } : null}
            />
          );
        })}
      </section>
      <section className="card" aria-labelledby="limits-heading">
        <h2 id="limits-heading">Payout limits and auto-approval</h2>
        <p className="muted">
          Amounts in token units; empty means no limit. Payouts below the auto-approval threshold are sent
          without waiting for the owner&apos;s approval; without a threshold every payout waits. The daily
          limit counts payouts created in any 24 hours, rejected and failed ones excluded.
        </p>
        {chainOptions(chains).flatMap((chain) =>
          chain.tokens.map((token) => (
            <PayoutLimitsForm
              key={`${chain.name}:${token}`}
              chain={chain.name}
              token={token}
              current={
                limits.data.find((limit) => limit.chain === chain.name && limit.token === token) ?? null
              }
            />
          )),
        )}
      </section>
    </>
  );
}
