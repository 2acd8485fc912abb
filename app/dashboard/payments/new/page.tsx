import { requireMerchantSession } from "@/lib/auth/require-merchant-session";
import { configuredChains } from "@/lib/config/chains";
import { NewPaymentForm } from "./new-payment-form";

export const metadata = { title: "New payment" };

export default async function NewPaymentPage() {
  await requireMerchantSession("/dashboard/payments/new");
  const chains = configuredChains().map((chain) => ({
    name: chain.name,
    tokens: [chain.nativeCurrency.symbol, ...chain.tokens.map((token) => token.symbol)],
  }));
  return (
    <>
      <h1>New payment</h1>
      <section className="card">
        <NewPaymentForm chains={chains} />
      </section>
    </>
  );
}
