import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { chainOptions } from "@/lib/dashboard/chain-options";
import { coinChoices, coinChoiceValue } from "@/lib/dashboard/quote-settings-form";
import { getQuoteSettings } from "@/lib/merchants/quote-settings";
import { CURRENCIES } from "@/lib/money/fiat";
import { NewPaymentForm } from "./new-payment-form";

export const metadata = { title: "New payment" };

export default async function NewPaymentPage() {
  const { db, actor, merchant } = await requireMerchantSession("/dashboard/payments/new");
  const configured = configuredChains();
  const settings = await getQuoteSettings({ db, actor, chains: configured }, merchant.id);
  const accepted = new Set(settings.accepted_coins.map((coin) => coinChoiceValue(configured, coin)));
  return (
    <>
      <h1>New payment</h1>
      <section className="card">
        <NewPaymentForm
          chains={chainOptions(configured)}
          fiat={{
            coins: coinChoices(configured).filter((coin) => accepted.has(coin.value)),
            currencies: CURRENCIES,
            displayCurrency: settings.display_currency,
          }}
        />
      </section>
    </>
  );
}
