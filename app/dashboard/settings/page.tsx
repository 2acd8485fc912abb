import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { getMerchantSettings } from "@/lib/merchants/merchant-settings";
import { listTreasurySettings } from "@/lib/settlement/list-treasury-settings";
import { SettingsForm } from "./settings-form";
import { TreasuryForm } from "./treasury-form";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { db, merchant } = await requireMerchantSession("/dashboard/settings");
  const [settings, treasury] = await Promise.all([
    getMerchantSettings(db, merchant.id),
    listTreasurySettings(db, merchant.id),
  ]);
  return (
    <>
      <h1>Settings</h1>
      <section className="card" aria-labelledby="branding-heading">
        <h2 id="branding-heading">Business and checkout</h2>
        <SettingsForm settings={settings} />
      </section>
      <section className="card" aria-labelledby="treasury-heading">
        <h2 id="treasury-heading">Settlement: treasury address per chain</h2>
        <p className="muted">
          Confirmed payments are swept from their deposit address to your treasury, an address you control (a
          hardware wallet or a multisig). Use an address that can receive on that chain.
        </p>
        {configuredChains().map((chain) => {
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
    </>
  );
}
