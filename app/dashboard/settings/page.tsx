import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { getMerchantSettings } from "@/lib/merchants/merchant-settings";
import { SettingsForm } from "./settings-form";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { db, merchant } = await requireMerchantSession("/dashboard/settings");
  const settings = await getMerchantSettings(db, merchant.id);
  return (
    <>
      <h1>Settings</h1>
      <section className="card" aria-labelledby="branding-heading">
        <h2 id="branding-heading">Business and checkout</h2>
        <SettingsForm settings={settings} />
      </section>
    </>
  );
}
